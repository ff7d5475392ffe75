import Crypto
import DatamancyStorage
import Foundation

/// A pack file being assembled: sealed chunks go straight to the storage's writer
/// (a temporary file on a local folder), hashed as they pass, so a pack in the
/// making costs no memory beyond its entries.
struct PackBuilder {
  private let writer: ObjectWriter
  private var hash = SHA256()
  private(set) var entries: [PackEntry] = []

  init(storage: Storage) throws {
    writer = try storageCall { try storage.makeWriter(under: "data") }
  }

  var isEmpty: Bool { entries.isEmpty }
  /// Bytes written so far.
  var count: Int { writer.count }

  mutating func append(sealed: Data, id: ChunkID, rawLength: Int) throws {
    let entry = PackEntry(
      id: id, offset: UInt32(count), length: UInt32(sealed.count), rawLength: UInt32(rawLength))
    try write(sealed)
    entries.append(entry)
  }

  /// Appends the sealed header and its length; the pack's id is the hash of the
  /// whole file. The pack is stored only when `ClosedPack.store` is called.
  consuming func close(key: SymmetricKey) throws -> ClosedPack {
    let header = try Sealing.seal(
      PackFormat.encodeHeader(entries), key: key, context: Sealing.Context.packHeader)
    try write(header)
    try write(withUnsafeBytes(of: UInt32(header.count).littleEndian) { Data($0) })
    return ClosedPack(id: Data(hash.finalize()).hexString, entries: entries, writer: writer)
  }

  private mutating func write(_ bytes: Data) throws {
    hash.update(data: bytes)
    try storageCall { try writer.append(bytes) }
  }
}

/// A pack whose bytes are all written, waiting to be named.
struct ClosedPack: Sendable {
  let id: String
  let entries: [PackEntry]
  fileprivate let writer: ObjectWriter

  /// Stores the pack under its name (atomic and durable, as `Storage.put`).
  func store() throws { try storageCall { try writer.commit(as: PackFormat.name(of: id)) } }
}
