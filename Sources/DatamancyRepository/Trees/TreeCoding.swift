import Foundation

/// The byte layout of a tree object (docs/repository-format.md, "Trees"):
///
///     "DMTR" | version (u8 = 1) | entry count (u32) | entries
///
/// Integers little-endian. Decoding checks every length against what remains,
/// so a damaged tree is an error, never a crash.
public enum TreeCoding {
  static let magic = Array("DMTR".utf8)
  public static let version: UInt8 = 1
  /// Extent count of a file without holes.
  static let notSparse = UInt32.max

  public static func encode(_ tree: Tree) -> [UInt8] {
    var out = ByteWriter()
    out.bytes(magic)
    out.u8(version)
    out.u32(UInt32(tree.entries.count))
    for entry in tree.entries { encode(entry, into: &out) }
    return out.data
  }

  static func encode(_ entry: TreeEntry, into out: inout ByteWriter) {
    out.u16(UInt16(entry.name.count))
    out.bytes(entry.name)
    out.u8(entry.kind.rawValue)
    out.u32(entry.mode)
    out.u32(entry.uid)
    out.u32(entry.gid)
    out.u8(UInt8(min(entry.user.count, 255)))
    out.bytes(entry.user.prefix(255))
    out.u8(UInt8(min(entry.group.count, 255)))
    out.bytes(entry.group.prefix(255))
    for time in [entry.mtime, entry.ctime] {
      out.u64(UInt64(bitPattern: time.seconds))
      out.u32(time.nanoseconds)
    }
    out.u64(entry.size)
    out.u64(entry.inode)
    out.u64(entry.device)
    out.u32(entry.links)
    out.u64(entry.rdev)
    out.u32(UInt32(entry.target.count))
    out.bytes(entry.target)
    out.u16(UInt16(entry.xattrs.count))
    for xattr in entry.xattrs {
      out.u16(UInt16(xattr.name.count))
      out.bytes(xattr.name)
      out.u32(UInt32(xattr.value.count))
      out.bytes(xattr.value)
    }
    out.u32(UInt32(entry.chunks.count))
    for id in entry.chunks { out.bytes(id.bytes) }
    if let extents = entry.extents {
      out.u32(UInt32(extents.count))
      for extent in extents {
        out.u64(extent.offset)
        out.u64(extent.length)
      }
    } else {
      out.u32(notSparse)
    }
  }

  public struct Malformed: Error, CustomStringConvertible {
    public var description: String
  }

  public static func decode(_ data: [UInt8]) throws -> Tree {
    do {
      return try decodeTree(data)
    } catch is ByteReader.Truncated {
      throw Malformed(description: "truncated entry")
    }
  }

  static func decodeTree(_ data: [UInt8]) throws -> Tree {
    var input = ByteReader(data)
    guard try input.array(4) == magic else { throw Malformed(description: "not a tree object") }
    let version = try input.uint8()
    guard version == Self.version else {
      throw Malformed(
        description: "tree version \(version) is newer than this program knows (\(Self.version))")
    }
    let count = Int(try input.uint32())
    var entries: [TreeEntry] = []
    entries.reserveCapacity(min(count, data.count / 64))
    for _ in 0..<count { entries.append(try decodeEntry(&input)) }
    guard input.isAtEnd else { throw Malformed(description: "bytes after the last entry") }
    // Entries were sorted when encoded; keep that order as stored.
    var tree = Tree(entries: [])
    tree.entries = entries
    return tree
  }

  static func decodeEntry(_ input: inout ByteReader) throws -> TreeEntry {
    let name = try input.array(Int(try input.uint16()))
    guard let kind = TreeEntry.Kind(rawValue: try input.uint8()) else {
      throw Malformed(description: "unknown entry type")
    }
    var entry = TreeEntry(
      name: name, kind: kind, mode: try input.uint32(), uid: try input.uint32(), gid: try input.uint32(),
      mtime: Timestamp(seconds: 0, nanoseconds: 0), ctime: Timestamp(seconds: 0, nanoseconds: 0))
    entry.user = try input.array(Int(try input.uint8()))
    entry.group = try input.array(Int(try input.uint8()))
    entry.mtime = Timestamp(seconds: Int64(bitPattern: try input.uint64()), nanoseconds: try input.uint32())
    entry.ctime = Timestamp(seconds: Int64(bitPattern: try input.uint64()), nanoseconds: try input.uint32())
    entry.size = try input.uint64()
    entry.inode = try input.uint64()
    entry.device = try input.uint64()
    entry.links = try input.uint32()
    entry.rdev = try input.uint64()
    entry.target = try input.array(Int(try input.uint32()))
    for _ in 0..<(try input.uint16()) {
      let name = try input.array(Int(try input.uint16()))
      entry.xattrs.append(Xattr(name: name, value: try input.array(Int(try input.uint32()))))
    }
    let chunks = Int(try input.uint32())
    guard chunks <= input.remaining / ChunkID.byteCount else {
      throw Malformed(description: "truncated chunk list")
    }
    for _ in 0..<chunks { entry.chunks.append(ChunkID(bytes: try input.array(ChunkID.byteCount))) }
    let extents = try input.uint32()
    if extents != notSparse {
      guard Int(extents) <= input.remaining / 16 else {
        throw Malformed(description: "truncated extent list")
      }
      entry.extents = try (0..<extents).map { _ in
        Extent(offset: try input.uint64(), length: try input.uint64())
      }
    }
    try checkBounds(entry)
    return entry
  }

  /// Sizes and regions are used as file offsets (`off_t`, signed 64 bits): a size
  /// or a region that ends past that is damage, never a trap.
  static func checkBounds(_ entry: TreeEntry) throws {
    guard entry.size <= UInt64(Int64.max) else { throw Malformed(description: "a size out of range") }
    for extent in entry.extents ?? [] {
      let (end, overflow) = extent.offset.addingReportingOverflow(extent.length)
      guard !overflow, end <= UInt64(Int64.max) else {
        throw Malformed(description: "a data region out of range")
      }
    }
  }
}

struct ByteWriter {
  var data: [UInt8] = []

  mutating func bytes<C: Collection>(_ bytes: C) where C.Element == UInt8 { data.append(contentsOf: bytes) }
  mutating func u8(_ value: UInt8) { data.append(value) }
  mutating func u16(_ value: UInt16) {
    withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
  }
  mutating func u32(_ value: UInt32) {
    withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
  }
  mutating func u64(_ value: UInt64) {
    withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
  }
}

extension ByteReader {
  var remaining: Int { data.count - position }

  mutating func uint16() throws -> UInt16 { try bytes(2).reversed().reduce(0) { $0 << 8 | UInt16($1) } }
  mutating func uint64() throws -> UInt64 { try bytes(8).reversed().reduce(0) { $0 << 8 | UInt64($1) } }
  mutating func array(_ count: Int) throws -> [UInt8] { Array(try bytes(count)) }
}
