import CLinux
import DatamancyRepository
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// File-system calls on paths as bytes: names are whatever the kernel holds (not
/// necessarily UTF-8), so they never pass through `String`.
public enum FileSystem {
  /// Calls `body` with `path` as a NUL-terminated C string.
  public static func withPath<T>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
    try (path + [0]).withUnsafeBufferPointer { bytes in
      try bytes.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
    }
  }

  public static func join(_ folder: [UInt8], _ name: [UInt8]) -> [UInt8] {
    folder.last == UInt8(ascii: "/") ? folder + name : folder + [UInt8(ascii: "/")] + name
  }

  public struct Failure: Error, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var code: Int32

    public init(_ operation: String, _ path: [UInt8], code: Int32 = errno) {
      self.operation = operation
      self.path = String(decoding: path, as: UTF8.self)
      self.code = code
    }

    public var description: String { "could not \(operation) \(path): \(String(cString: strerror(code)))" }
  }

  /// `lstat(2)`.
  public static func lstat(_ path: [UInt8]) throws -> stat {
    var info = stat()
    guard withPath(path, { Glibc.lstat($0, &info) }) == 0 else {
      throw Failure("read the attributes of", path)
    }
    return info
  }

  /// The names in a folder, without `.` and `..`.
  public static func names(in path: [UInt8]) throws -> [[UInt8]] {
    guard let dir = withPath(path, { opendir($0) }) else { throw Failure("open the folder", path) }
    defer { closedir(dir) }
    var names: [[UInt8]] = []
    while true {
      errno = 0
      guard let entry = readdir(dir) else {
        if errno != 0 { throw Failure("list the folder", path) }
        return names
      }
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        Array(raw.prefix(while: { $0 != 0 }))
      }
      if name != [46] && name != [46, 46] { names.append(name) }
    }
  }

  /// A symlink's target.
  public static func readLink(_ path: [UInt8], size: Int) throws -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: max(size, 255) + 1)
    let count = withPath(path) { p in
      buffer.withUnsafeMutableBytes {
        readlink(p, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count)
      }
    }
    guard count >= 0 else { throw Failure("read the link", path) }
    return Array(buffer[0..<count])
  }

  /// Extended attributes (ACLs included), sorted by name; none where the file
  /// system keeps none.
  public static func xattrs(_ path: [UInt8]) throws -> [Xattr] {
    let size = withPath(path) { llistxattr($0, nil, 0) }
    if size < 0 {
      if errno == ENOTSUP || errno == ENODATA { return [] }
      throw Failure("list the extended attributes of", path)
    }
    guard size > 0 else { return [] }
    var list = [UInt8](repeating: 0, count: size)
    let listed = withPath(path) { p in
      list.withUnsafeMutableBytes { llistxattr(p, $0.baseAddress!.assumingMemoryBound(to: CChar.self), size) }
    }
    guard listed >= 0 else { throw Failure("list the extended attributes of", path) }
    var result: [Xattr] = []
    for name in list[0..<listed].split(separator: 0) {
      let name = Array(name)
      let value = try withPath(path) { p in
        try withPath(name) { n -> [UInt8] in
          let length = lgetxattr(p, n, nil, 0)
          guard length >= 0 else { throw Failure("read an extended attribute of", path) }
          var value = [UInt8](repeating: 0, count: length)
          let read = value.withUnsafeMutableBytes { lgetxattr(p, n, $0.baseAddress, length) }
          guard read >= 0 else { throw Failure("read an extended attribute of", path) }
          return Array(value[0..<read])
        }
      }
      result.append(Xattr(name: name, value: value))
    }
    return result.sorted { $0.name.lexicographicallyPrecedes($1.name) }
  }

  /// The data regions of an open file, found with `SEEK_DATA`/`SEEK_HOLE`; nil
  /// when it has no holes (or the file system cannot say).
  public static func dataRegions(_ fd: Int32, size: Int64) -> [Extent]? {
    // lseek(2)'s SEEK_DATA and SEEK_HOLE, which Glibc's module does not export.
    let (seekData, seekHole): (Int32, Int32) = (3, 4)
    var extents: [Extent] = []
    var offset = 0
    let size = Int(size)
    while offset < size {
      let data = lseek(fd, offset, seekData)
      if data < 0 { break }  // ENXIO: only a hole remains
      let hole = lseek(fd, data, seekHole)
      guard hole > data else { return nil }
      extents.append(Extent(offset: UInt64(data), length: UInt64(min(hole, size) - data)))
      offset = hole
    }
    lseek(fd, 0, SEEK_SET)
    if extents.count == 1 && extents[0].offset == 0 && extents[0].length == UInt64(size) { return nil }
    return extents
  }
}

extension stat {
  public var modificationTime: Timestamp {
    Timestamp(seconds: Int64(st_mtim.tv_sec), nanoseconds: UInt32(st_mtim.tv_nsec))
  }
  public var changeTime: Timestamp {
    Timestamp(seconds: Int64(st_ctim.tv_sec), nanoseconds: UInt32(st_ctim.tv_nsec))
  }
  public var fileType: mode_t { st_mode & S_IFMT }
}
