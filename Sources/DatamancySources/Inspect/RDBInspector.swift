import DatamancyRepository
import Foundation

/// Checks a Redis RDB snapshot's frame as it streams: it must begin with `REDIS`
/// and a version, and end with the end-of-file opcode (0xFF) followed by its 8-byte
/// checksum, which Redis writes last. The content itself is checked by
/// `redis-check-rdb` when a set is verified.
public final class RDBInspector: StreamInspector {
  public init() {}

  private var head: [UInt8] = []
  private var tail: [UInt8] = []

  public func consume(_ bytes: UnsafeRawBufferPointer) {
    if head.count < 9 { head.append(contentsOf: bytes.prefix(9 - head.count)) }
    tail.append(contentsOf: bytes.suffix(9))
    if tail.count > 9 { tail.removeFirst(tail.count - 9) }
  }

  public func finish() throws -> [TableFingerprint]? {
    guard head.starts(with: Array("REDIS".utf8)) else { throw IncompleteDump("not a Redis RDB snapshot") }
    guard tail.count == 9, tail[0] == 0xFF else {
      throw IncompleteDump("the RDB snapshot does not end with its end-of-file marker: it was cut short")
    }
    return nil
  }
}
