import Crypto
import DatamancyStorage
import Foundation

/// The pack being filled: sealed chunks go straight to the storage's writer (a
/// temporary file on a local folder), hashed as they pass, so a pack in the
/// making costs no memory beyond its entries. The writer is made with the first
/// chunk, so an empty builder leaves nothing behind.
struct PackBuilder {
  private let storage: any Storage
  private var writer: (any ObjectWriter)?
  private var hash = SHA256()
  private var entries: [PackEntry] = []

  init(storage: any Storage) { self.storage = storage }

  /// Bytes written so far.
  var count: Int { writer?.count ?? 0 }

  mutating func append(sealed: Data, id: ChunkID, rawLength: Int) throws {
    let entry = PackEntry(
      id: id, offset: UInt32(count), length: UInt32(sealed.count), rawLength: UInt32(rawLength))
    try write(sealed)
    entries.append(entry)
  }

  /// Appends the sealed header and its length and starts a new pack (a failed
  /// close discards the old one); the pack's id is the hash of the whole file.
  /// Nil when no chunk was added. The pack is stored only when
  /// `ClosedPack.store` is called.
  mutating func close(key: SymmetricKey) throws -> ClosedPack? {
    guard !entries.isEmpty else { return nil }
    var filled = self
    self = PackBuilder(storage: storage)
    let header = try Sealing.seal(
      PackFormat.encodeHeader(filled.entries), key: key, context: Sealing.Context.packHeader)
    try filled.write(header)
    try filled.write(withUnsafeBytes(of: UInt32(header.count).littleEndian) { Data($0) })
    return ClosedPack(
      id: Data(filled.hash.finalize()).hexString, entries: filled.entries, writer: filled.writer!)
  }

  private mutating func write(_ bytes: Data) throws {
    if writer == nil { writer = try storageCall { try storage.makeWriter(under: "data") } }
    hash.update(data: bytes)
    try storageCall { try writer!.append(bytes) }
  }
}

/// A pack whose bytes are all written, waiting to be named.
struct ClosedPack: Sendable {
  let id: String
  let entries: [PackEntry]
  fileprivate let writer: any ObjectWriter

  /// Stores the pack under its name (atomic and durable, as `Storage.put`).
  func store() throws { try storageCall { try writer.commit(as: PackFormat.name(of: id)) } }
}
