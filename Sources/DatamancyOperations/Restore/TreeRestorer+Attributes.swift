import CLinux
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What a restored entry gets besides its content: room to be written (by
/// `overwrite`), then its owner, mode, xattrs and times.
extension TreeRestorer {
  func isFolder(_ path: [UInt8]) -> Bool { (try? FileSystem.lstat(path))?.fileType == S_IFDIR }

  /// Whether `entry` may be written at `path`: nothing is there, or what is
  /// there may be replaced (then it is removed). A folder is never removed to
  /// make room for something else.
  func makeRoom(for entry: TreeEntry, at path: [UInt8]) throws -> Bool {
    guard let info = try? FileSystem.lstat(path) else { return true }
    let replace: Bool
    switch overwrite {
    case .never: replace = false
    case .always: replace = true
    case .ifChanged:
      replace =
        !(entry.kind == .file && info.fileType == S_IFREG && UInt64(info.st_size) == entry.size
        && info.modificationTime == entry.mtime)
    }
    guard replace, info.fileType != S_IFDIR else {
      if replace {
        state.withLock {
          $0.report.warnings.append(
            "\(TreePath.display(path)) is a folder in the target; it was left as it is")
        }
      }
      state.withLock { $0.report.kept += 1 }
      return false
    }
    guard FileSystem.withPath(path, { unlink($0) }) == 0 else { throw FileSystem.Failure("replace", path) }
    return true
  }

  /// Owner, mode, extended attributes and times, in that order: `chown`
  /// clears setuid bits, and setting anything changes nothing but ctime.
  /// Through `descriptor` when the entry is open (a regular file just written),
  /// which spares the kernel a path lookup per call.
  func apply(_ entry: TreeEntry, to path: [UInt8], descriptor: Int32? = nil) throws {
    try FileSystem.withPath(path) { p in
      if isRoot {
        let (uid, gid) = owner(of: entry)
        guard (descriptor.map { fchown($0, uid, gid) } ?? lchown(p, uid, gid)) == 0 else {
          throw FileSystem.Failure("set the owner of", path)
        }
      }
      if entry.kind != .symlink,
        (descriptor.map { fchmod($0, mode_t(entry.mode)) } ?? chmod(p, mode_t(entry.mode))) != 0
      {
        throw FileSystem.Failure("set the mode of", path)
      }
      for xattr in entry.xattrs {
        let status = FileSystem.withPath(xattr.name) { name in
          xattr.value.withUnsafeBytes { value in
            descriptor.map { fsetxattr($0, name, value.baseAddress, value.count, 0) }
              ?? lsetxattr(p, name, value.baseAddress, value.count, 0)
          }
        }
        if status != 0 {
          let reason = String(cString: strerror(errno))
          state.withLock {
            $0.report.warnings.append(
              "extended attribute \(String(decoding: xattr.name, as: UTF8.self)) of "
                + "\(String(decoding: path, as: UTF8.self)) not set: \(reason)")
          }
        }
      }
      let time = timespec(tv_sec: Int(entry.mtime.seconds), tv_nsec: Int(entry.mtime.nanoseconds))
      var times = [time, time]
      let status =
        descriptor.map { futimens($0, &times) } ?? utimensat(AT_FDCWD, p, &times, AT_SYMLINK_NOFOLLOW)
      guard status == 0 else { throw FileSystem.Failure("set the times of", path) }
    }
  }

  func owner(of entry: TreeEntry) -> (uid_t, gid_t) {
    guard ownersByName else { return (entry.uid, entry.gid) }
    var uid = entry.uid
    var gid = entry.gid
    if !entry.user.isEmpty, let found = FileSystem.withPath(entry.user, { getpwnam($0) }) {
      uid = found.pointee.pw_uid
    }
    if !entry.group.isEmpty, let found = FileSystem.withPath(entry.group, { getgrnam($0) }) {
      gid = found.pointee.gr_gid
    }
    return (uid, gid)
  }
}
