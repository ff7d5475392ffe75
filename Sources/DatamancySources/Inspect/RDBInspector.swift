import DatamancyRepository
import Foundation

/// Checks a Redis RDB snapshot's frame as it streams: it must begin with `REDIS`
/// and a version, and end with the end-of-file opcode (0xFF) followed by its 8-byte
/// checksum, which Redis writes last. The content itself is checked by
/// `redis-check-rdb` when a set is verified.
///
/// It also records the key count of the snapshot's first database, from the
/// RESIZEDB hint Redis writes before that database's keys (`RDBHeader`), so a
/// drill can compare the keys a restored server holds.
public final class RDBInspector: StreamInspector {
  public init() {}

  private var head: [UInt8] = []
  private var tail: [UInt8] = []

  public func consume(_ bytes: UnsafeRawBufferPointer) {
    if head.count < RDBHeader.limit { head.append(contentsOf: bytes.prefix(RDBHeader.limit - head.count)) }
    tail.append(contentsOf: bytes.suffix(9))
    if tail.count > 9 { tail.removeFirst(tail.count - 9) }
  }

  public func finish() throws -> [TableFingerprint]? {
    guard head.starts(with: Array("REDIS".utf8)) else { throw IncompleteDump("not a Redis RDB snapshot") }
    guard tail.count == 9, tail[0] == 0xFF else {
      throw IncompleteDump("the RDB snapshot does not end with its end-of-file marker: it was cut short")
    }
    return RDBHeader.keyCounts(head)
  }
}

/// Reads the opening of an RDB file (version, auxiliary fields, functions) up to
/// the first database's RESIZEDB opcode, which gives that database's key count
/// and how many of its keys expire. Later databases are not reached without
/// decoding every value, so only the first is counted.
enum RDBHeader {
  /// How much of the stream is kept to find the hint.
  static let limit = 1 << 20

  /// `db<N>` with the key count (`rows`) and expiring keys; an empty list for an
  /// empty snapshot; nil when the hint is not found.
  static func keyCounts(_ bytes: [UInt8]) -> [TableFingerprint]? {
    var reader = Reader(bytes: bytes, position: 9)
    var database: Int?
    while let opcode = reader.byte() {
      switch opcode {
      case 0xFA:  // auxiliary field: key and value
        guard reader.skipString(), reader.skipString() else { return nil }
      case 0xF5:  // a function library's code
        guard reader.skipString() else { return nil }
      case 0xFE:  // SELECTDB
        guard let number = reader.length() else { return nil }
        database = number
      case 0xFB:  // RESIZEDB: keys, keys with an expiry
        guard let database, let keys = reader.length(), let expiring = reader.length() else { return nil }
        var fingerprint = TableFingerprint(table: "db\(database)", rows: keys, checksum: "")
        fingerprint.expiring = expiring
        return [fingerprint]
      case 0xFF: return []  // no keys at all
      default: return nil
      }
    }
    return nil
  }

  struct Reader {
    let bytes: [UInt8]
    var position: Int

    mutating func byte() -> UInt8? {
      guard position < bytes.count else { return nil }
      defer { position += 1 }
      return bytes[position]
    }

    mutating func bigEndian(_ count: Int) -> Int? {
      var value = 0
      for _ in 0..<count {
        guard let byte = byte() else { return nil }
        value = value << 8 | Int(byte)
      }
      return value
    }

    /// A length: 6, 14, 32 or 64 bits. Nil for a special string encoding.
    mutating func length() -> Int? {
      guard let first = byte() else { return nil }
      switch first >> 6 {
      case 0: return Int(first & 0x3F)
      case 1: return byte().map { Int(first & 0x3F) << 8 | Int($0) }
      case 2: return first == 0x80 ? bigEndian(4) : first == 0x81 ? bigEndian(8) : nil
      default: return nil
      }
    }

    /// Skips a string: raw, an integer (1, 2 or 4 bytes) or LZF-compressed.
    mutating func skipString() -> Bool {
      guard let first = bytes.indices.contains(position) ? bytes[position] : nil else { return false }
      if first >> 6 == 3 {
        position += 1
        switch first & 0x3F {
        case 0: position += 1
        case 1: position += 2
        case 2: position += 4
        case 3:
          guard let compressed = length(), length() != nil else { return false }
          position += compressed
        default: return false
        }
      } else {
        guard let count = length() else { return false }
        position += count
      }
      return position <= bytes.count
    }
  }
}
