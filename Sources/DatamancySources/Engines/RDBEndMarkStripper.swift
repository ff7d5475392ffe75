import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// Removes the 40-byte end mark that `redis-cli --rdb -` leaves at the end of a
/// diskless transfer (the default since Redis 7). Written to a file, redis-cli cuts
/// the mark off afterwards with `ftruncate`; written to a pipe it cannot, and the
/// stored snapshot would not load. The last 49 bytes are held back until the end:
/// if they are the RDB's end-of-file opcode (0xFF) and 8-byte checksum followed by
/// 40 alphanumeric bytes, those 40 are dropped; otherwise everything is passed on.
public final class RDBEndMarkStripper: ByteStream {
  private let inner: any ByteStream
  /// Bytes ready to hand out, and the bytes held back behind them.
  private var ready: [UInt8] = []
  private var readyOffset = 0
  private var held: [UInt8] = []
  private var finished = false
  private var scratch = [UInt8](repeating: 0, count: 64 << 10)
  static let markLength = 40
  static let holdBack = markLength + 9

  public init(_ inner: any ByteStream) { self.inner = inner }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    while readyOffset == ready.count {
      if finished { return 0 }
      let n = try scratch.withUnsafeMutableBytes { try inner.read(into: $0) }
      if n == 0 {
        finished = true
        ready = Self.withoutMark(held)
        held = []
      } else {
        held.append(contentsOf: scratch[0..<n])
        let excess = held.count - Self.holdBack
        ready = excess > 0 ? Array(held[0..<excess]) : []
        if excess > 0 { held.removeFirst(excess) }
      }
      readyOffset = 0
    }
    let n = min(buffer.count, ready.count - readyOffset)
    ready.withUnsafeBytes {
      buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[readyOffset..<readyOffset + n]))
    }
    readyOffset += n
    return n
  }

  static func withoutMark(_ tail: [UInt8]) -> [UInt8] {
    guard tail.count == holdBack, tail[0] == 0xFF,
      tail.suffix(markLength).allSatisfy({
        ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90)
      })
    else { return tail }
    return Array(tail.prefix(9))
  }
}
