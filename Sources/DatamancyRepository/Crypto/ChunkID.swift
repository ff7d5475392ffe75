import Foundation

/// The identity of a chunk: HMAC-SHA-256 of its plaintext under the repository's
/// id key, so equal data has one id (and is stored once) while the ids reveal
/// nothing about the data to someone without the key.
public struct ChunkID: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The 32 bytes, as four big-endian words (cheap to hash and compare).
  let words: (UInt64, UInt64, UInt64, UInt64)

  public static let byteCount = 32

  /// Reads 32 bytes.
  public init<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
    precondition(bytes.count == Self.byteCount)
    var w: [UInt64] = [0, 0, 0, 0]
    for (i, byte) in bytes.enumerated() { w[i / 8] = (w[i / 8] << 8) | UInt64(byte) }
    words = (w[0], w[1], w[2], w[3])
  }

  /// Parses 64 hexadecimal digits; nil when malformed.
  public init?(hex: String) {
    guard let bytes = [UInt8](hex: hex), bytes.count == Self.byteCount else { return nil }
    self.init(bytes: bytes)
  }

  /// The 32 bytes.
  public var bytes: [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(32)
    for word in [words.0, words.1, words.2, words.3] {
      for shift in stride(from: 56, through: 0, by: -8) {
        out.append(UInt8(truncatingIfNeeded: word >> shift))
      }
    }
    return out
  }

  public var hex: String { bytes.hexString }
  public var description: String { hex }

  public static func == (a: ChunkID, b: ChunkID) -> Bool {
    a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
  }

  public static func < (a: ChunkID, b: ChunkID) -> Bool {
    (a.words.0, a.words.1, a.words.2, a.words.3) < (b.words.0, b.words.1, b.words.2, b.words.3)
  }

  public func hash(into hasher: inout Hasher) {
    // The id is already a uniform keyed hash; one word is plenty.
    hasher.combine(words.0)
  }
}

extension Sequence where Element == UInt8 {
  /// Lowercase hexadecimal digits.
  public var hexString: String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in self {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
  }
}

extension Array where Element == UInt8 {
  /// Parses hexadecimal digits; nil when the text is not an even run of them.
  public init?(hex: String) {
    let utf8 = Array(hex.utf8)
    guard utf8.count % 2 == 0 else { return nil }
    func value(_ c: UInt8) -> UInt8? {
      switch c {
      case 48...57: return c - 48
      case 97...102: return c - 87
      case 65...70: return c - 55
      default: return nil
      }
    }
    var out: [UInt8] = []
    out.reserveCapacity(utf8.count / 2)
    var i = 0
    while i < utf8.count {
      guard let high = value(utf8[i]), let low = value(utf8[i + 1]) else { return nil }
      out.append(high << 4 | low)
      i += 2
    }
    self = out
  }
}
