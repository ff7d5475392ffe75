import DatamancyPOSIX
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A repository in a local folder (or a mounted network filesystem).
///
/// Writes go to a temporary file (`.tmp-` prefix) beside the target, or in the
/// folder given to `makeWriter`, are flushed with `fsync`, then renamed over the
/// final name, and the folder is synced, so a crash leaves either the old state or
/// the new object, never a partial one. Temporary files left by a crash are never
/// listed; prune removes the stale ones.
public struct LocalStorage: Storage {
  public let root: String
  public var location: String { root }

  /// Uses the folder at `root`; it is created by `put` when missing.
  public init(root: String) {
    self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
  }

  static let temporaryPrefix = ".tmp-"

  private func path(_ name: String) -> String { root + "/" + name }

  public func put(_ name: String, data: Data) throws {
    let writer = try LocalObjectWriter(
      storage: self, folder: (name as NSString).deletingLastPathComponent, label: name)
    try writer.append(data)
    try writer.commit(as: name)
  }

  /// Stages the object in a temporary file in `folder`; errors before the commit
  /// name that file.
  public func makeWriter(under folder: String) throws -> any ObjectWriter {
    try LocalObjectWriter(storage: self, folder: folder)
  }

  public func get(_ name: String, offset: Int, length: Int?) throws -> Data {
    let fd = open(path(name), O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      if errno == ENOENT { throw StorageError.notFound(name: name, location: location) }
      throw ioError("open", name)
    }
    defer { close(fd) }
    var info = Glibc.stat()
    guard fstat(fd, &info) == 0 else { throw ioError("stat", name) }
    let size = Int(info.st_size)
    let wanted = length ?? max(0, size - offset)
    guard offset + wanted <= size else {
      throw StorageError.shortRead(
        name: name, location: location, expected: offset + wanted, got: size)
    }
    var failure: StorageError?
    let data = Data.filling(count: wanted) { buffer in
      var done = 0
      while done < wanted {
        let n = pread(fd, buffer.baseAddress! + done, wanted - done, off_t(offset + done))
        if n < 0 && errno == EINTR { continue }
        if n <= 0 {
          failure =
            n == 0
            ? .shortRead(name: name, location: location, expected: wanted, got: done)
            : ioError("read", name)
          return false
        }
        done += n
      }
      return true
    }
    guard let data else { throw failure! }
    return data
  }

  public func listObjects(prefix: String) throws -> [ObjectInfo] {
    // Walk the deepest folder the prefix names, then filter by the rest.
    let folderPart = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : ""
    let start = folderPart.isEmpty ? root : path(folderPart)
    var objects: [ObjectInfo] = []
    guard let walker = FileManager.default.enumerator(atPath: start) else { return [] }
    while let relative = walker.nextObject() as? String {
      let last = (relative as NSString).lastPathComponent
      if last.hasPrefix(Self.temporaryPrefix) { continue }
      let attributes = walker.fileAttributes
      if let type = attributes?[.type] as? FileAttributeType, type != .typeRegular { continue }
      let name = folderPart.isEmpty ? relative : folderPart + "/" + relative
      guard name.hasPrefix(prefix) else { continue }
      let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
      objects.append(
        ObjectInfo(name: name, size: size, modified: attributes?[.modificationDate] as? Date))
    }
    return objects
  }

  public func stat(_ name: String) throws -> ObjectInfo {
    var info = Glibc.stat()
    guard lstat(path(name), &info) == 0 else {
      if errno == ENOENT { throw StorageError.notFound(name: name, location: location) }
      throw ioError("stat", name)
    }
    let modified = Date(
      timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    return ObjectInfo(name: name, size: Int(info.st_size), modified: modified)
  }

  public func delete(_ name: String) throws {
    if unlink(path(name)) != 0 && errno != ENOENT { throw ioError("delete", name) }
  }

  /// Removes temporary files not written to for `age` seconds, left by killed
  /// writers; returns how many. Ages are measured against a file this call writes,
  /// so a shared folder's own clock decides, not this host's.
  @discardableResult
  public func removeStaleTemporaries(olderThan age: TimeInterval) throws -> Int {
    let probe = root + "/" + Self.temporaryPrefix + "probe-" + UUID().uuidString
    let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw ioError("create", (probe as NSString).lastPathComponent) }
    close(fd)
    defer { unlink(probe) }
    let now = try stat((probe as NSString).lastPathComponent).modified ?? Date()
    var removed = 0
    guard let walker = FileManager.default.enumerator(atPath: root) else { return 0 }
    while let relative = walker.nextObject() as? String {
      guard (relative as NSString).lastPathComponent.hasPrefix(Self.temporaryPrefix),
        path(relative) != probe,
        let modified = walker.fileAttributes?[.modificationDate] as? Date,
        now.timeIntervalSince(modified) > age
      else { continue }
      if unlink(path(relative)) == 0 { removed += 1 }
    }
    return removed
  }

  func makeFolder(_ folder: String, for name: String) throws {
    do {
      try FileManager.default.createDirectory(
        atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      let code = CocoaError.Code(rawValue: (error as NSError).code)
      if [.fileWriteVolumeReadOnly, .fileWriteNoPermission].contains(code) {
        throw StorageError.denied(
          operation: "create the folder for", name: name, location: location,
          reason: error.localizedDescription)
      }
      throw StorageError.io(
        operation: "create the folder for", name: name, location: location,
        reason: error.localizedDescription)
    }
  }

  func syncFolder(_ folder: String) {
    let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 {
      fsync(fd)
      close(fd)
    }
  }

  func ioError(_ operation: String, _ name: String) -> StorageError {
    let reason = String(cString: strerror(errno))
    if [EROFS, EACCES, EPERM].contains(errno) {
      return .denied(operation: operation, name: name, location: location, reason: reason)
    }
    return .io(operation: operation, name: name, location: location, reason: reason)
  }
}
