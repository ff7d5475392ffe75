import Crypto
import Foundation

/// The byte layout of a pack file, `data/<first two hex digits>/<pack id>`:
///
///     sealed chunk 1 | ... | sealed chunk n | sealed header | header length (u32 LE)
///
/// A sealed chunk is `Sealing.seal(flag | payload)` with the chunk id (32 bytes) as
/// associated data; `flag` is 0 when `payload` is the plaintext and 1 when it is a
/// zstd frame of it. The header plaintext is `"DMPK" | version (1) | count (u32 LE) |
/// count × PackEntry`, sealed with the pack-header context; it lets `check` and
/// index rebuilding find every chunk without the index. The pack id is the
/// SHA-256 of the whole file, so a pack's name authenticates its bytes.
enum PackFormat {
  static let magic = Array("DMPK".utf8)
  static let version: UInt8 = 1

  static func encodeHeader(_ entries: [PackEntry]) -> [UInt8] {
    var out = magic
    out.append(version)
    out.appendLittleEndian(UInt32(entries.count))
    for entry in entries { entry.encode(into: &out) }
    return out
  }

  /// Reads the entries from a whole pack file's bytes.
  static func decodeHeader(pack: Data, key: SymmetricKey) throws -> [PackEntry] {
    guard pack.count >= 4 else { throw ByteReader.Truncated() }
    var lengthReader = ByteReader(pack.suffix(4))
    let length = Int(try lengthReader.uint32())
    guard length + 4 <= pack.count else { throw ByteReader.Truncated() }
    let sealed = pack[(pack.count - 4 - length)..<(pack.count - 4)]
    let plain = try Sealing.open(sealed, key: key, context: Sealing.Context.packHeader)
    return try decodeEntries(plain, magic: magic)
  }

  /// Decodes `magic | version | count | entries`, the header's plaintext.
  static func decodeEntries(_ plain: Data, magic: [UInt8]) throws -> [PackEntry] {
    var reader = ByteReader(plain)
    guard Array(try reader.bytes(4)) == magic, try reader.uint8() == version else {
      throw ByteReader.Truncated()
    }
    let count = Int(try reader.uint32())
    return try (0..<count).map { _ in try PackEntry.decode(&reader) }
  }

  /// The size of the pack file holding exactly `entries`: the chunks, the sealed
  /// header (nonce, plaintext, tag) and its length.
  static func fileSize(of entries: [PackEntry]) -> Int {
    let chunks = entries.map { Int($0.offset) + Int($0.length) }.max() ?? 0
    return chunks + headerFileBytes(entries: entries.count)
  }

  /// The bytes after the chunks: the sealed header of `entries` entries and its length.
  static func headerFileBytes(entries: Int) -> Int {
    Sealing.overhead + magic.count + 1 + 4 + entries * PackEntry.encodedSize + 4
  }

  /// The storage name of a pack.
  static func name(of id: String) -> String { "data/\(id.prefix(2))/\(id)" }

  /// Opens one sealed chunk and returns its plaintext, checking it is the chunk's.
  ///
  /// The seal's associated data is the chunk id, so opening it proves the payload
  /// is what a backup sealed under that id. What stays to check is the plaintext
  /// that payload gives: a stored chunk is its payload; a zstd frame's checksum
  /// proves it expands to the bytes that were compressed. Only frames without one
  /// (written before frames carried checksums) need the id recomputed, HMAC-SHA-256
  /// of the plaintext, which costs a restore more CPU than decryption and
  /// decompression together (`perf` of a `dump`). With `recomputeID` it is
  /// recomputed for every chunk: `check --read-data`, `verify` and `repair` prove
  /// that each chunk's plaintext is the one its id names, which also catches a fault
  /// between hashing and compressing at backup.
  static func openChunk(
    _ sealed: some DataProtocol, entry: PackEntry, master: MasterKey,
    decompressor: ZstdDecompressor, recomputeID: Bool
  ) throws -> Data {
    let plain = try Sealing.open(sealed, key: master.encryption, context: entry.id.bytes)
    guard let flag = plain.first else { throw ByteReader.Truncated() }
    let payload = plain.dropFirst()
    let data: Data
    var checked = !recomputeID
    switch flag {
    case 0: data = Data(payload)
    case 1:
      guard
        let expanded = payload.withUnsafeBytes({ frame -> Data? in
          checked = checked && ZstdDecompressor.hasChecksum(frame)
          return decompressor.decompress(frame, rawLength: Int(entry.rawLength))
        })
      else { throw ByteReader.Truncated() }
      data = expanded
    default: throw ByteReader.Truncated()
    }
    guard data.count == Int(entry.rawLength),
      checked || data.withUnsafeBytes({ master.id(of: $0) }) == entry.id
    else { throw ByteReader.Truncated() }
    return data
  }
}
