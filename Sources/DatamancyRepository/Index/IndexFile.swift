import Crypto
import Foundation

/// An index file, `index/<sha256 of the file>`, sealed with the index context.
///
/// Plaintext: `"DMIX" | version (1) | pack count (u32 LE)`, then per pack
/// `pack id (32 bytes) | "DMPK" | version | entry count (u32 LE) | entries`, the pack
/// part being exactly the pack's own header plaintext.
enum IndexFile {
  static let magic = Array("DMIX".utf8)

  static func encode(_ packs: [(id: String, entries: [PackEntry])]) -> [UInt8] {
    var out = magic
    out.append(PackFormat.version)
    out.appendLittleEndian(UInt32(packs.count))
    for pack in packs {
      out.append(contentsOf: [UInt8](hex: pack.id)!)
      let header = PackFormat.encodeHeader(pack.entries)
      out.appendLittleEndian(UInt32(header.count))
      out.append(contentsOf: header)
    }
    return out
  }

  static func decode(_ plain: Data) throws -> [(id: String, entries: [PackEntry])] {
    var reader = ByteReader(plain)
    guard Array(try reader.bytes(4)) == magic, try reader.uint8() == PackFormat.version else {
      throw ByteReader.Truncated()
    }
    let count = Int(try reader.uint32())
    return try (0..<count).map { _ in
      let id = try reader.bytes(32).hexString
      let length = Int(try reader.uint32())
      let entries = try PackFormat.decodeEntries(Data(try reader.bytes(length)), magic: PackFormat.magic)
      return (id, entries)
    }
  }
}
