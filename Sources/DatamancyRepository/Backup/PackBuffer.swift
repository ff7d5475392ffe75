import Crypto
import Foundation

/// A pack file being assembled in memory, closed and stored once it is full.
struct PackBuffer {
  private(set) var bytes: [UInt8] = []
  private(set) var entries: [PackEntry] = []

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
    bytes.appendLittleEndian(UInt32(header.count))
    let file = Data(bytes)
    let id = Data(SHA256.hash(data: file)).hexString
    let done = (id, file, entries)
    self = PackBuffer()
    return done
  }
}
