import Crypto
import Foundation

/// A pack file being assembled in memory, closed and stored once it is full.
struct PackBuffer {
  private(set) var bytes = Data()
  private(set) var entries: [PackEntry] = []

  /// Reserves room for a whole pack once, so appending never reallocates.
  init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

  var isEmpty: Bool { entries.isEmpty }
  var count: Int { bytes.count }

  mutating func append(sealed: Data, id: ChunkID, rawLength: Int) {
    entries.append(
      PackEntry(
        id: id, offset: UInt32(bytes.count), length: UInt32(sealed.count),
        rawLength: UInt32(rawLength)))
    bytes.append(contentsOf: sealed)
  }

  /// Appends the sealed header and its length; returns the pack id and file bytes.
  mutating func close(key: SymmetricKey) throws -> (id: String, file: Data, entries: [PackEntry]) {
    let header = try Sealing.seal(
      PackFormat.encodeHeader(entries), key: key, context: Sealing.Context.packHeader)
    bytes.append(contentsOf: header)
    withUnsafeBytes(of: UInt32(header.count).littleEndian) { bytes.append(contentsOf: $0) }
    let id = Data(SHA256.hash(data: bytes)).hexString
    let done = (id, bytes, entries)
    self = PackBuffer(capacity: done.1.count)
    return done
  }
}
