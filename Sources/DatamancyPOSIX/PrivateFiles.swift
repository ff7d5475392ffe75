import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Secret material handed to a tool through files readable only by us: a folder
/// made by `mkdtemp` (0700) holding 0600 files, removed as soon as the tool is
/// done, on success or failure.
public final class PrivateFiles: @unchecked Sendable {
  public let folder: String
  private let lock = NSLock()
  private var removed = false

  public init() throws {
    var template = Array((NSTemporaryDirectory() + "datamancy-secret-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else {
      throw ProcessError.spawnFailed(program: "mkdtemp", reason: String(cString: strerror(errno)))
    }
    folder = String(cString: made)
  }

  deinit { remove() }

  /// Writes a 0600 file; returns its path.
  public func write(_ name: String, _ content: String) throws -> String {
    let path = folder + "/" + name
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      throw ProcessError.spawnFailed(program: "secret file", reason: String(cString: strerror(errno)))
    }
    defer { close(fd) }
    guard FileDescriptor.writeAll(fd, Array(content.utf8)) == 0 else {
      throw ProcessError.spawnFailed(program: "secret file", reason: String(cString: strerror(errno)))
    }
    return path
  }

  public func remove() {
    lock.withLock {
      guard !removed else { return }
      removed = true
      try? FileManager.default.removeItem(atPath: folder)
    }
  }
}

extension PrivateFiles {
  /// Writes a lasting secret file readable by its owner only (0600): created
  /// beside `path` under a temporary name, then renamed over it, so no reader ever
  /// sees it half-written or with wider permissions.
  public static func writeLasting(_ content: String, to path: String) throws {
    let temporary = path + ".tmp-\(getpid())"
    unlink(temporary)
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      throw ProcessError.spawnFailed(program: "secret file \(path)", reason: String(cString: strerror(errno)))
    }
    let written = FileDescriptor.writeAll(fd, Array(content.utf8))
    let synced = fsync(fd)
    close(fd)
    guard written == 0, synced == 0, rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw ProcessError.spawnFailed(program: "secret file \(path)", reason: reason)
    }
  }
}
