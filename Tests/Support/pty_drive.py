#!/usr/bin/env python3
"""Runs a program on a pseudo-terminal and answers its prompts, like expect.

usage: pty_drive.py DIALOGUE_JSON PROGRAM [ARGS...]

DIALOGUE_JSON is a list of [text to wait for, line to answer]. Prints everything
the program wrote and exits with its exit status.
"""
import json
import os
import pty
import select
import sys
import time

dialogue = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])

output = b""


def read(timeout):
    global output
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        return True
    try:
        data = os.read(fd, 65536)
    except OSError:
        return False
    if not data:
        return False
    output += data
    return True


seen = 0
for expected, answer in dialogue:
    deadline = time.time() + 30
    while expected.encode() not in output[seen:]:
        if time.time() > deadline or not read(1):
            sys.stdout.write(output.decode(errors="replace"))
            sys.exit(f"never saw {expected!r}")
    seen = output.index(expected.encode(), seen) + len(expected)
    os.write(fd, answer.encode() + b"\n")
while read(60):
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(output.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
