import DatamancyRepository
import Foundation

/// Removes the 40-byte end mark that `redis-cli --rdb -` leaves at the end of a
/// diskless transfer (the default since Redis 7). Written to a file, redis-cli cuts
/// the mark off afterwards with `ftruncate`; written to a pipe it cannot, and the
/// stored snapshot would not load. The last 49 bytes are held back until the end:
/// if they are the RDB's end-of-file opcode (0xFF) and 8-byte checksum followed by
/// 40 alphanumeric bytes, those 40 are dropped; otherwise everything is passed on.
final class RDBEndMarkStripper: ByteSource {
  private let inner: ByteSource
  private var held: [UInt8] = []
  private var ending: [UInt8]?
  static let markLength = 40
  static let holdBack = markLength + 9

  init(_ inner: ByteSource) { self.inner = inner }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if let ending { return drain(ending, into: buffer) }
    precondition(buffer.count > Self.holdBack)
    while true {
      // Read behind room for the held bytes, then put them in front.
      let room = UnsafeMutableRawBufferPointer(rebasing: buffer[held.count...])
      let n = try inner.read(
        into: UnsafeMutableRawBufferPointer(rebasing: room[..<(room.count - Self.holdBack)]))
      if n == 0 {
        ending = Self.withoutMark(held)
        held = []
        return drain(ending!, into: buffer)
      }
      held.withUnsafeBytes { buffer.copyMemory(from: $0) }
      let total = held.count + n
      let keep = min(Self.holdBack, total)
      held = Array(buffer[(total - keep)..<total])
      if total - keep > 0 { return total - keep }
    }
  }

  private func drain(_ bytes: [UInt8], into buffer: UnsafeMutableRawBufferPointer) -> Int {
    let n = min(bytes.count, buffer.count)
    bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[..<n])) }
    ending = Array(bytes[n...])
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
