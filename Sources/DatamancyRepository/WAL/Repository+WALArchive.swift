import Crypto
import DatamancyStorage
import Foundation

/// PostgreSQL's write-ahead log files (segments, `.history`, `.backup`), one object
/// each: `wal/<source>/<file name>`, sealed with associated data that names the
/// source and the file, so an object cannot be swapped for another's. The sealed
/// plaintext is a header — format byte (0: stored, 1: zstd), the file's length
/// (8 bytes, little-endian) and its SHA-256 — then the file, compressed when that
/// makes it smaller. WAL is not chunked: segments do not repeat, and one object
/// per file needs no index and no lock, so concurrent pushes are safe.
extension Repository {
  public enum WALStored: Sendable {
    case stored
    /// The same bytes were already archived under this name.
    case alreadyStored
  }

  /// An archived file of this name holds other bytes.
  public struct WALConflict: Error, CustomStringConvertible {
    public var source: String
    public var name: String
    public var description: String {
      "\(source): \(name) is already archived with different bytes; two clusters may be archiving "
        + "into one source, or the file changed after it was archived. Nothing was stored"
    }
  }

  static func walObject(_ source: String, _ name: String) -> String { "wal/\(source)/\(name)" }

  static func walContext(_ source: String, _ name: String) -> Data {
    Data("datamancy wal v1\u{0}\(source)/\(name)".utf8)
  }

  /// Stores one WAL file durably (the storage syncs it before it returns).
  public func putWAL(source: String, name: String, bytes: Data) throws -> WALStored {
    let digest = Data(SHA256.hash(data: bytes))
    if let existing = try walHeader(source: source, name: name) {
      guard existing.digest == digest, existing.length == bytes.count else {
        throw WALConflict(source: source, name: name)
      }
      return .alreadyStored
    }
    var plain = Data()
    var compressed: Data?
    if let compressor = config.compression.makeCompressor() {
      var output = Data(count: ZstdCompressor.bound(bytes.count))
      let written = output.withUnsafeMutableBytes { out in
        bytes.withUnsafeBytes { compressor.compress($0, into: out) }
      }
      if let written { compressed = output.prefix(written) }
    }
    plain.append(compressed == nil ? 0 : 1)
    withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { plain.append(contentsOf: $0) }
    plain.append(digest)
    plain.append(compressed ?? bytes)
    let sealed = try Sealing.seal(plain, key: master.encryption, context: Self.walContext(source, name))
    try storageCall { try storage.put(Self.walObject(source, name), data: sealed) }
    return .stored
  }

  /// The archived file's bytes, authenticated and checked against their SHA-256;
  /// nil when it is not archived. Damage throws `RepositoryError.damaged`.
  public func getWAL(source: String, name: String) throws -> Data? {
    guard let (format, length, digest, payload) = try openWAL(source: source, name: name) else { return nil }
    let object = Self.walObject(source, name)
    let bytes: Data
    if format == 1 {
      guard let expanded = payload.withUnsafeBytes({ ZstdDecompressor().decompress($0, rawLength: length) })
      else {
        throw RepositoryError.damaged(file: object, reason: "it does not decompress")
      }
      bytes = expanded
    } else {
      bytes = payload
    }
    guard bytes.count == length, Data(SHA256.hash(data: bytes)) == digest else {
      throw RepositoryError.damaged(file: object, reason: "its content does not match its checksum")
    }
    return bytes
  }

  /// The names of the archived files of a source, sorted.
  public func walNames(source: String) throws -> [String] {
    try walObjects(source: source).map(\.name)
  }

  /// The archived files of a source, sorted by name, with the time each was
  /// stored (by the storage's clock) and its stored size: one listing.
  public func walObjects(source: String) throws -> [ObjectInfo] {
    let prefix = "wal/\(source)/"
    return try storageCall { try storage.listObjects(prefix: prefix) }
      .map { ObjectInfo(name: String($0.name.dropFirst(prefix.count)), size: $0.size, modified: $0.modified) }
      .filter { !$0.name.contains("/") && !$0.name.hasPrefix(".") }.sorted { $0.name < $1.name }
  }

  /// The sources that have archived WAL.
  public func walSources() throws -> [String] {
    let names = try storageCall { try storage.list(prefix: "wal/") }
    return Set(names.compactMap { $0.split(separator: "/").dropFirst().first.map(String.init) }).sorted()
  }

  /// Removes one archived file (`prune`'s WAL retention).
  public func deleteWAL(source: String, name: String) throws {
    try storageCall { try storage.delete(Self.walObject(source, name)) }
  }

  /// The length of an archived file, from its header (the object is read and
  /// authenticated, not decompressed).
  public func walLength(source: String, name: String) throws -> Int? {
    try walHeader(source: source, name: name)?.length
  }

  private func walHeader(source: String, name: String) throws -> (length: Int, digest: Data)? {
    try openWAL(source: source, name: name).map { ($0.length, $0.digest) }
  }

  private func openWAL(source: String, name: String) throws -> (
    format: UInt8, length: Int, digest: Data, payload: Data
  )? {
    let object = Self.walObject(source, name)
    let sealed: Data
    do {
      sealed = try storageCall { try storage.get(object) }
    } catch RepositoryError.storage(let error) where error.isNotFound {
      return nil
    }
    let plain: Data
    do {
      plain = try Sealing.open(sealed, key: master.encryption, context: Self.walContext(source, name))
    } catch {
      throw RepositoryError.damaged(file: object, reason: "it fails authentication")
    }
    guard plain.count >= 41, plain[plain.startIndex] <= 1 else {
      throw RepositoryError.damaged(file: object, reason: "its header is not a WAL file's")
    }
    let start = plain.startIndex
    var length: UInt64 = 0
    for index in 0..<8 { length |= UInt64(plain[start + 1 + index]) << (8 * UInt64(index)) }
    guard length <= 1 << 32 else {
      throw RepositoryError.damaged(file: object, reason: "its length is implausible")
    }
    return (plain[start], Int(length), Data(plain[(start + 9)..<(start + 41)]), Data(plain[(start + 41)...]))
  }
}
