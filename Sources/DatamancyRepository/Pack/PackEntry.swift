import Foundation

/// Where one chunk lives inside a pack file.
public struct PackEntry: Equatable, Sendable {
  public var id: ChunkID
  /// Byte offset of the sealed chunk in the pack.
  public var offset: UInt32
  /// Length of the sealed chunk: nonce, ciphertext and tag.
  public var length: UInt32
  /// Length of the chunk's plaintext (the original data).
  public var rawLength: UInt32

  public init(id: ChunkID, offset: UInt32, length: UInt32, rawLength: UInt32) {
    self.id = id
    self.offset = offset
    self.length = length
    self.rawLength = rawLength
  }

  /// Encoded size: id (32), offset, length, raw length (4 each, little-endian).
  static let encodedSize = 44

  func encode(into out: inout [UInt8]) {
    out.append(contentsOf: id.bytes)
    out.appendLittleEndian(offset)
    out.appendLittleEndian(length)
    out.appendLittleEndian(rawLength)
  }

  static func decode(_ reader: inout ByteReader) throws -> PackEntry {
    PackEntry(
      id: ChunkID(bytes: try reader.bytes(32)), offset: try reader.uint32(),
      length: try reader.uint32(), rawLength: try reader.uint32())
  }
}

extension Array where Element == UInt8 {
  mutating func appendLittleEndian(_ value: UInt32) {
    Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
  }
}

/// Reads little-endian fields from decrypted binary structures.
struct ByteReader {
  let data: [UInt8]
  var position = 0

  init(_ data: some Collection<UInt8>) { self.data = Array(data) }

  struct Truncated: Error {}

  var isAtEnd: Bool { position == data.count }

  mutating func bytes(_ count: Int) throws -> ArraySlice<UInt8> {
    guard position + count <= data.count else { throw Truncated() }
    defer { position += count }
    return data[position..<position + count]
  }

  mutating func uint32() throws -> UInt32 {
    let b = try bytes(4)
    return b.reversed().reduce(0) { $0 << 8 | UInt32($1) }
  }

  mutating func uint8() throws -> UInt8 { try bytes(1).first! }
}
