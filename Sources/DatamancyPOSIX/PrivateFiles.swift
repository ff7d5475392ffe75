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
