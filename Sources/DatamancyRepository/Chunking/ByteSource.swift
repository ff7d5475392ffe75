import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A stream of bytes to back up: a file, a pipe from a dump tool, a test buffer.
public protocol ByteSource: AnyObject {
  /// Reads up to `buffer.count` bytes; returns 0 only at the end of the stream.
  ///
  /// A source that can fail late (a dump tool that exits non-zero after writing
  /// everything) throws from the read that would otherwise report the end, so a
  /// failed dump can never look like a complete one.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Reads an open file descriptor (a file or a pipe) until end of file.
public final class FileDescriptorSource: ByteSource {
  public let fd: Int32
  let name: String
  /// Pipes only: after a read that found less than this, the next read first
  /// waits `pause` for the pipe to fill.
  private let coalesceBelow: Int
  private var lastRead = Int.max
  static let pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)

  /// `coalescing`: the descriptor is a pipe from a program that writes a few KiB
  /// at a time (pg_dump writes 4 KiB). Reading each write as it lands woke the
  /// reading thread about 100,000 times per GB of dump (`perf sched`); waiting a
  /// millisecond after a short read lets the (1 MiB) pipe collect a few hundred
  /// KiB, which cut those wake-ups tenfold and the kernel time of a backup by a
  /// sixth. A source that fills the pipe is never made to wait.
  public init(fd: Int32, name: String, coalescing: Bool = false) {
    self.fd = fd
    self.name = name
    coalesceBelow = coalescing ? 128 << 10 : 0
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if lastRead < coalesceBelow && buffer.count >= coalesceBelow {
      var pause = Self.pause
      nanosleep(&pause, nil)
    }
    while true {
      let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
      lastRead = n
      if n >= 0 { return n }
      if errno == EINTR { continue }
      throw RepositoryError.sourceFailed(name: name, reason: String(cString: strerror(errno)))
    }
  }
}

/// Bytes already in memory (tests, small metadata).
public final class MemorySource: ByteSource {
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
