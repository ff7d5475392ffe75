import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The one way a lasting file is written whole or not at all (the users file,
/// schedule units and their credentials, a fetched WAL file, the metrics file):
/// a new file beside `path`, with its final mode from the start and a name no
/// other writer uses, every byte written and synced, renamed over `path`, then
/// the folder synced so that the rename outlives a power cut. A reader sees the
/// old file or the new one, never half of one or one with a wider mode.
public enum AtomicFile {
  public struct Failure: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var errno: Int32
    public var description: String { ErrorText.sentence(action: "write", path: path, errno: errno) }
  }

  public static func write(_ bytes: some DataProtocol, to path: String, mode: mode_t = 0o600) throws(Failure)
  {
    let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard fd >= 0 else { throw Failure(path: path, errno: errno) }
    var failure = FileDescriptor.writeAll(fd, bytes)
    if failure == 0, fsync(fd) != 0 { failure = errno }
    close(fd)
    if failure == 0, rename(temporary, path) != 0 { failure = errno }
    guard failure == 0 else {
      unlink(temporary)
      throw Failure(path: path, errno: failure)
    }
    syncFolder(of: path)
  }

  public static func write(_ text: String, to path: String, mode: mode_t = 0o600) throws(Failure) {
    try write(Array(text.utf8), to: path, mode: mode)
  }

  /// Best effort: a folder that cannot be opened for reading still holds the
  /// renamed file; only its durability across a power cut is less certain.
  static func syncFolder(of path: String) {
    let folder = (path as NSString).deletingLastPathComponent
    let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return }
    fsync(fd)
    close(fd)
  }
}
