#!/usr/bin/env python3
"""Makes a folder holding every kind of entry a file tree must keep, and prints
a manifest of a folder (lstat fields, content hashes, xattrs, hardlink groups)
so that two folders can be compared byte for byte.

    filetree.py make DIR      build the test tree in DIR (must not exist)
    filetree.py manifest DIR  print DIR's manifest, one line per entry
    filetree.py manifest-without-acls DIR   the same, leaving ACLs out (what
                              GNU tar restores from SCHILY.xattr records)
"""
import hashlib
import os
import socket
import stat
import subprocess
import sys


def make(root):
    root = os.fsencode(root)
    os.makedirs(root)
    j = lambda *parts: os.path.join(root, *parts)
    os.makedirs(j(b"a", b"deep", b"er"))
    os.makedirs(j(b"b"))
    with open(j(b"a", b"plain.txt"), "wb") as f:
        f.write(b"plain text\n" * 100)
    with open(j(b"a", b"deep", b"er", b"random.bin"), "wb") as f:
        f.write(os.urandom(3 * 1024 * 1024 + 17))
    open(j(b"empty"), "wb").close()
    # Odd names: a newline, a backslash, bytes that are not UTF-8, 255 bytes.
    for name in [b"new\nline", b"back\\slash", b"latin1-\xe9\xff", b"n" * 255, b" leading space"]:
        with open(j(b"b", name), "wb") as f:
            f.write(name)
    # Hardlinks across folders.
    with open(j(b"a", b"linked"), "wb") as f:
        f.write(b"one inode, two names\n")
    os.link(j(b"a", b"linked"), j(b"b", b"also-linked"))
    os.symlink(b"../a/plain.txt", j(b"b", b"symlink"))
    os.symlink(b"/nowhere/dangling", j(b"dangling"))
    os.mkfifo(j(b"fifo"))
    if os.geteuid() == 0:
        os.mknod(j(b"chardev"), 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        os.chown(j(b"a", b"plain.txt"), 1234, 5678)
        os.chown(j(b"b", b"symlink"), 4321, 8765, follow_symlinks=False)
    s = socket.socket(socket.AF_UNIX)
    s.bind(j(b"socket"))
    s.close()
    # Modes with setuid, setgid and sticky.
    with open(j(b"setuid"), "wb") as f:
        f.write(b"#!/bin/sh\n")
    os.chmod(j(b"setuid"), 0o4755)
    os.chmod(j(b"b"), 0o3775)
    # A 1 GiB sparse file with two small writes.
    with open(j(b"sparse"), "wb") as f:
        f.truncate(1 << 30)
        f.seek(12345)
        f.write(b"first write")
        f.seek((1 << 30) - 4096)
        f.write(b"second write")
    subprocess.run(["setfattr", "-n", "user.colour", "-v", "blue", j(b"a", b"plain.txt")], check=True)
    subprocess.run(["setfattr", "-n", "user.binary", "-v", "0x00ff10", j(b"b")], check=True)
    subprocess.run(["setfacl", "-m", "u:1234:rw", j(b"a", b"plain.txt")], check=True)
    # Nanosecond times, set last (children first so folders keep theirs).
    paths = []
    for folder, dirs, files in os.walk(root):
        paths += [os.path.join(folder, n) for n in dirs + files]
    for i, path in enumerate(sorted(paths, key=len, reverse=True)):
        t = 1_600_000_000_123_456_789 + i * 1_000_000_007
        os.utime(path, ns=(t, t), follow_symlinks=False)


ACLS = True


def xattrs(path):
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return []
    if not ACLS:
        names = [n for n in names if not n.startswith("system.posix_acl")]
    return sorted((n, os.getxattr(path, n, follow_symlinks=False).hex()) for n in names)


def manifest(root):
    root = os.fsencode(root)
    groups = {}
    lines = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(dirs + files):
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            kind = stat.S_IFMT(st.st_mode)
            fields = [
                repr(rel), oct(st.st_mode), str(st.st_uid), str(st.st_gid),
                str(st.st_mtime_ns) if not stat.S_ISSOCK(st.st_mode) else "-",
                repr(xattrs(path)),
            ]
            if stat.S_ISREG(kind):
                digest = hashlib.sha256()
                with open(path, "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        digest.update(block)
                fields += [str(st.st_size), digest.hexdigest()]
                if st.st_nlink > 1:
                    key = (st.st_dev, st.st_ino)
                    fields.append("linked-to " + repr(groups.setdefault(key, rel)))
            elif stat.S_ISLNK(kind):
                fields.append(repr(os.readlink(path)))
            elif stat.S_ISCHR(kind) or stat.S_ISBLK(kind):
                fields.append(str(st.st_rdev))
            lines.append(" ".join(fields))
    print("\n".join(lines))


def manifest_without_acls(root):
    global ACLS
    ACLS = False
    manifest(root)


if __name__ == "__main__":
    commands = {"make": make, "manifest": manifest, "manifest-without-acls": manifest_without_acls}
    commands[sys.argv[1]](sys.argv[2])
