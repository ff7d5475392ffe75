import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A stream of bytes to back up: a file, a pipe from a dump tool, a test buffer.
public protocol ByteStream: AnyObject {
  /// Reads up to `buffer.count` bytes; returns 0 only at the end of the stream.
  ///
  /// A stream that can fail late (a dump tool that exits non-zero after writing
  /// everything) throws from the read that would otherwise report the end, so a
  /// failed dump can never look like a complete one.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Reads an open file descriptor (a file or a pipe) until end of file.
///
/// A pipe is read as soon as anything is in it. Waiting a millisecond after a short
/// read, to let a tool that writes 4 KiB at a time (pg_dump) fill the pipe, cut the
/// reading thread's wake-ups tenfold, but once chunks were cut and named as their
/// bytes arrive it made a backup slower, not faster (docs/benchmarks.md).
public final class FileDescriptorStream: ByteStream {
  public let fd: Int32
  let name: String

  public init(fd: Int32, name: String) {
    self.fd = fd
    self.name = name
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    while true {
      let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
      if n >= 0 { return n }
      if errno == EINTR { continue }
      throw ReadFailed(name: name, reason: String(cString: strerror(errno)))
    }
  }
}

/// Bytes already in memory (tests, small metadata).
public final class MemoryStream: ByteStream {
  private let data: [UInt8]
  private var position = 0

  public init(_ data: [UInt8]) { self.data = data }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let n = min(buffer.count, data.count - position)
    data.withUnsafeBytes { source in
      buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: n)
    }
    position += n
    return n
  }
}

/// Reading a stream failed (an I/O error, not its end).
public struct ReadFailed: Error, CustomStringConvertible {
  public var name: String
  public var reason: String

  public init(name: String, reason: String) {
    self.name = name
    self.reason = reason
  }

  public var description: String { "could not read \(name): \(reason)" }
}
