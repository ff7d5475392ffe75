import DatamancyRepository
import Foundation

/// Reads a `pg_dump -Fc -Z0` archive as it streams: checks that it is complete
/// (header, table of contents, then one data block for every entry that has data)
/// and fingerprints every table from its COPY rows.
///
/// The custom format (pg_backup_archiver.c, pg_backup_custom.c): "PGDMP", version
/// (major, minor, revision bytes), int size, offset size, format; compression (an
/// int before archive version 1.15, a byte since); creation time (7 ints); database
/// name, server and pg_dump versions (strings); the TOC (a count, then entries of
/// ints and strings, each ending with the custom format's data-offset field); then
/// data blocks: a type byte (1 = table data, 3 = large objects), the entry's dump
/// id, and the data as length-prefixed pieces ending with a zero length. An int is
/// a sign byte and `int size` little-endian bytes; a string is an int length (-1 for
/// none) and that many bytes. With -Z0 the table data is COPY text, one row a line.
// @unchecked: its parsing state is the parser thread's alone (`ThreadedInspector`).
public final class PostgresArchiveInspector: ThreadedInspector, @unchecked Sendable {
  private let rowHash: RowHash.Version

  /// `rowHash`: the one to fingerprint with (a set's recorded one, to compare).
  public init(rowHash: RowHash.Version = .current) {
    self.rowHash = rowHash
    super.init()
    start()
  }

  struct Entry {
    var table: String?
    var hasData: Bool
  }

  override func parse(_ reader: StreamReader) throws -> [TableFingerprint]? {
    do {
      return try parseArchive(reader)
    } catch is StreamReader.EndOfStream {
      throw IncompleteDump("the archive ends early: the dump was cut short")
    }
  }

  private func parseArchive(_ reader: StreamReader) throws -> [TableFingerprint] {
    guard try reader.bytes(5) == Array("PGDMP".utf8) else {
      throw IncompleteDump("not a pg_dump custom-format archive")
    }
    let version = (Int(try reader.byte()), Int(try reader.byte()), Int(try reader.byte()))
    let archive = ArchiveFields(
      reader: reader, intSize: Int(try reader.byte()), offsetSize: Int(try reader.byte()))
    guard try reader.byte() == 1 else { throw IncompleteDump("not a custom-format archive") }
    let atLeast = { (minor: Int) in version.0 > 1 || (version.0 == 1 && version.1 >= minor) }
    guard version.0 == 1 && version.1 >= 10 else {
      throw IncompleteDump("archive version \(version.0).\(version.1) is older than supported (1.10)")
    }
    if atLeast(15) { _ = try reader.byte() } else { _ = try archive.int() }
    for _ in 0..<7 { _ = try archive.int() }
    for _ in 0..<3 { _ = try archive.string() }
    var entries: [Int: Entry] = [:]
    for _ in 0..<(try archive.int()) {
      let dumpID = try archive.int()
      _ = try archive.int()  // had dumper
      _ = try archive.string()  // table oid
      _ = try archive.string()  // oid
      let tag = try archive.string()
      let description = try archive.string()
      _ = try archive.int()  // section
      for _ in 0..<3 { _ = try archive.string() }  // definition, drop, copy statements
      let namespace = try archive.string()
      _ = try archive.string()  // tablespace
      if atLeast(14) { _ = try archive.string() }  // table access method
      if atLeast(16) { _ = try archive.int() }  // relkind
      _ = try archive.string()  // owner
      _ = try archive.string()  // with oids
      while try archive.string() != nil {}  // dependencies
      let dataState = try reader.byte()
      _ = try reader.bytes(archive.offsetSize)
      let table =
        description == "TABLE DATA" ? [namespace, tag].compactMap { $0 }.joined(separator: ".") : nil
      entries[dumpID] = Entry(table: table, hasData: dataState != 3)
    }
    var fingerprints = FingerprintBuilder(rowHash: rowHash)
    for entry in entries.values.compactMap(\.table).sorted() { fingerprints.begin(entry) }
    while !reader.atEnd {
      let type = try reader.byte()
      let dumpID = try archive.int()
      guard let entry = entries.removeValue(forKey: dumpID) else {
        throw IncompleteDump("data block for unknown entry \(dumpID)")
      }
      switch type {
      case 1:
        guard let table = entry.table else {
          try archive.pieces { _ in }
          continue
        }
        var lines = RowSplitter()
        var rows = CopyRows(rowHash: rowHash)
        try archive.pieces { piece in lines.split(piece) { rows.add($0) } }
        fingerprints.add(rows: rows.count, sum: rows.sum, to: table)
      case 3:
        while try archive.int() != 0 { try archive.pieces { _ in } }  // large objects: oid, data
      default:
        throw IncompleteDump("unknown data block type \(type)")
      }
    }
    let missing = entries.values.filter(\.hasData).count
    guard missing == 0 else { throw IncompleteDump("the archive ends before the data of \(missing) entries") }
    return fingerprints.fingerprints
  }
}

/// Integers, strings and data pieces of a pg_dump archive.
struct ArchiveFields {
  let reader: StreamReader
  let intSize: Int
  let offsetSize: Int

  func int() throws -> Int {
    var value = 0
    try reader.read(1 + intSize) { value = Self.int(in: $0, at: 0, size: intSize) }
    return value
  }

  /// The int whose sign byte is at `offset` in `bytes`.
  private static func int(in bytes: UnsafeRawBufferPointer, at offset: Int, size: Int) -> Int {
    var value = 0
    for i in 0..<size { value |= Int(bytes[offset + 1 + i]) << (8 * i) }
    return bytes[offset] != 0 ? -value : value
  }

  func string() throws -> String? {
    let length = try int()
    guard length >= 0 else { return nil }
    return String(decoding: try reader.bytes(length), as: UTF8.self)
  }

  /// Calls `body` with the data of length-prefixed pieces up to the zero length.
  ///
  /// pg_dump writes every COPY row as a piece of its own, so this runs ten
  /// million times for a 1 GiB table: the pieces that lie wholly in the reader's
  /// current buffer are walked in one loop over it, and only a piece that
  /// straddles two buffers goes through the reader's calls.
  func pieces(_ body: (UnsafeRawBufferPointer) -> Void) throws {
    let header = 1 + intSize
    while true {
      var ended = false
      let walked = try reader.scan { bytes in
        var at = 0
        while bytes.count - at >= header {
          let length = Self.int(in: bytes, at: at, size: intSize)
          if length <= 0 {
            ended = true
            return at + header
          }
          guard bytes.count - at - header >= length else { break }
          body(UnsafeRawBufferPointer(rebasing: bytes[(at + header)..<(at + header + length)]))
          at += header + length
        }
        return at
      }
      if ended { return }
      if walked > 0 { continue }
      var remaining = try int()
      guard remaining > 0 else { return }
      while remaining > 0 { remaining -= try reader.withNext(upTo: remaining, body) }
    }
  }
}

/// The row count and checksum of one table's COPY text.
struct CopyRows {
  let rowHash: RowHash.Version
  private(set) var count = 0
  private(set) var sum: UInt64 = 0
  private var ended = false

  init(rowHash: RowHash.Version) { self.rowHash = rowHash }

  mutating func add(_ row: UnsafeRawBufferPointer) {
    // pg_dump ends COPY data with "\.", then blank lines: not rows.
    if row.count == 2 && row[0] == 0x5C && row[1] == 0x2E { ended = true }
    guard !ended else { return }
    count += 1
    sum &+= RowHash.hash(row, rowHash)
  }
}

/// Splits text into lines across piece boundaries and hands each line (without
/// its newline) to a callback.
struct RowSplitter {
  private var partial: [UInt8] = []

  mutating func split(_ bytes: UnsafeRawBufferPointer, _ row: (UnsafeRawBufferPointer) -> Void) {
    guard let base = bytes.baseAddress else { return }
    var start = 0
    while start < bytes.count, let found = memchr(base + start, 0x0A, bytes.count - start) {
      let newline = base.distance(to: UnsafeRawPointer(found))
      if partial.isEmpty {
        row(UnsafeRawBufferPointer(rebasing: bytes[start..<newline]))
      } else {
        partial.append(contentsOf: bytes[start..<newline])
        partial.withUnsafeBytes { row($0) }
        partial.removeAll(keepingCapacity: true)
      }
      start = newline + 1
    }
    // Most pieces end with their row's newline: nothing to keep.
    if start < bytes.count { partial.append(contentsOf: bytes[start...]) }
  }
}
