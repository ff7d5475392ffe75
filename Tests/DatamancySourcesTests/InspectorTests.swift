import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation
import XCTest

/// Inspectors on hand-made streams, fed in awkward pieces; the real tools' output
/// is covered by the integration tests.
final class InspectorTests: XCTestCase {
  /// Feeds `text` in pieces of `size` bytes.
  func feed(_ inspector: StreamInspector, _ bytes: [UInt8], size: Int) {
    var start = 0
    while start < bytes.count {
      let end = min(bytes.count, start + size)
      bytes[start..<end].withUnsafeBytes { inspector.consume($0) }
      start = end
    }
  }

  let mariaDump = """
    -- MariaDB dump 10.19
    CREATE TABLE `pages` (
      `id` int(11) NOT NULL
    );
    CREATE TABLE `empty_one` (`x` int);
    CREATE TABLE IF NOT EXISTS `general_log` (`x` int);
    INSERT INTO `pages` VALUES
    (1,'it\\'s (a), x'),
    (2,'two; \\\\ three');
    INSERT INTO `pages` VALUES (3,'a'),(4,'b)(');
    -- Dump completed on 2026-11-28  3:00:00

    """

  func testMariaDBRowsAcrossLinesAndPieces() throws {
    for size in [1, 7, 4096] {
      let inspector = MariaDBDumpInspector()
      feed(inspector, Array(mariaDump.utf8), size: size)
      let prints = try XCTUnwrap(inspector.finish())
      XCTAssertEqual(prints.map(\.table), ["pages", "empty_one", "general_log"])
      XCTAssertEqual(prints.map(\.rows), [4, 0, 0])
    }
  }

  func testMariaDBChecksumIgnoresRowOrderButNotContent() throws {
    func checksum(_ text: String) throws -> String {
      let inspector = MariaDBDumpInspector()
      feed(inspector, Array(text.utf8), size: 64)
      return try XCTUnwrap(inspector.finish())[0].checksum
    }
    let reordered = mariaDump.replacingOccurrences(of: "(3,'a'),(4,'b)(')", with: "(4,'b)('),(3,'a')")
    let changed = mariaDump.replacingOccurrences(of: "(3,'a')", with: "(3,'A')")
    XCTAssertEqual(try checksum(mariaDump), try checksum(reordered))
    XCTAssertNotEqual(try checksum(mariaDump), try checksum(changed))
  }

  func testMariaDBDumpWithoutTrailerIsCutShort() {
    let inspector = MariaDBDumpInspector()
    feed(inspector, Array(mariaDump.utf8.prefix(190)), size: 10)
    XCTAssertThrowsError(try inspector.finish()) { XCTAssertTrue("\($0)".contains("cut short")) }
  }

  func testLDIFCountsEntriesAndIgnoresComments() throws {
    let ldif = "dn: dc=a\nobjectClass: top\n\ndn: uid=x,dc=a\nuid: x\n\n# pagedresults: cookie=\n"
    let inspector = LDIFInspector()
    feed(inspector, Array(ldif.utf8), size: 5)
    XCTAssertEqual(try inspector.finish()?.first?.rows, 2)
    let cut = LDIFInspector()
    feed(cut, Array("dn: dc=a\nobjectClass: top\n\ndn: uid=x,dc=a\nui".utf8), size: 5)
    XCTAssertThrowsError(try cut.finish())
  }

  func testFoldedDNLinesCountLikeUnfoldedOnes() throws {
    let long = "uid=" + String(repeating: "x", count: 90) + ",dc=a"
    let unfolded = LDIFInspector()
    feed(unfolded, Array("dn: \(long)\nuid: x\n\n".utf8), size: 7)
    let folded = LDIFInspector()
    let line = "dn: \(long)"
    let wrapped = String(line.prefix(76)) + "\n " + String(line.dropFirst(76))
    feed(folded, Array("\(wrapped)\nuid: x\n\n".utf8), size: 7)
    XCTAssertEqual(try folded.finish(), try unfolded.finish())
  }

  func testRDBKeyCountComesFromTheFirstDatabasesResizeHint() throws {
    // REDIS0011, aux "redis-ver"="7.0.15", aux "ctime"=int32, SELECTDB 0, RESIZEDB 300 (14-bit) keys, 2 expiring.
    var rdb = Array("REDIS0011".utf8) + [0xFA, 9] + Array("redis-ver".utf8) + [6] + Array("7.0.15".utf8)
    rdb += [0xFA, 5] + Array("ctime".utf8) + [0xC2, 1, 2, 3, 4]
    rdb += [0xFE, 0, 0xFB, 0x41, 0x2C, 2] + [0, 1, 0x61, 1, 0x62, 0xFF] + [1, 2, 3, 4, 5, 6, 7, 8]
    let inspector = RDBInspector()
    feed(inspector, rdb, size: 5)
    let counts = try XCTUnwrap(try inspector.finish())
    XCTAssertEqual(counts.map(\.table), ["db0"])
    XCTAssertEqual(counts.first?.rows, 300)
    XCTAssertEqual(counts.first?.expiring, 2)
    let empty = RDBInspector()
    feed(empty, Array("REDIS0011".utf8) + [0xFF, 1, 2, 3, 4, 5, 6, 7, 8], size: 4)
    XCTAssertEqual(try empty.finish()?.count, 0)
  }

  func testRDBEndMarkIsStrippedOnlyWhenPresent() throws {
    let rdb = Array("REDIS0010".utf8) + [1, 2, 3, 0xFF] + [9, 8, 7, 6, 5, 4, 3, 2]
    let mark = Array(String(repeating: "a1b2", count: 10).utf8)
    for (input, expected) in [(rdb + mark, rdb), (rdb, rdb), (rdb + Array("x".utf8), rdb + Array("x".utf8))] {
      for size in [1, 7, 60, 4096] {
        let stripper = RDBEndMarkStripper(MemoryStream(input))
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: size)
        while true {
          let n = try buffer.withUnsafeMutableBytes { try stripper.read(into: $0) }
          if n == 0 { break }
          out += buffer[0..<n]
        }
        XCTAssertEqual(out, expected, "size \(size)")
      }
    }
    let inspector = RDBInspector()
    feed(inspector, rdb, size: 3)
    XCTAssertNil(try inspector.finish())
    let cut = RDBInspector()
    feed(cut, Array(rdb.dropLast(4)), size: 3)
    XCTAssertThrowsError(try cut.finish())
  }

  /// A `pg_dump -Fc -Z0` archive (version 1.14, 4-byte ints) as pg_dump lays it out:
  /// `tables` (name and COPY data pieces) after a header whose database name is
  /// `pad` bytes long, plus a schema entry without data.
  func archive(_ tables: [(name: String, pieces: [String])], pad: Int) -> [UInt8] {
    var out = Array("PGDMP".utf8) + [1, 14, 0, 4, 8, 1]
    func int(_ value: Int) {
      out += [value < 0 ? 1 : 0] + (0..<4).map { UInt8(truncatingIfNeeded: abs(value) >> (8 * $0)) }
    }
    func string(_ text: String?) {
      guard let text else { return int(-1) }
      int(text.utf8.count)
      out += Array(text.utf8)
    }
    int(0)  // compression
    for _ in 0..<7 { int(0) }  // creation time
    for text in [String(repeating: "d", count: pad), "16.4", "16.4"] { string(text) }
    int(tables.count + 1)
    let entries =
      [(id: 1, tag: "public", kind: "SCHEMA", data: false)]
      + tables.enumerated().map { (id: $0.offset + 2, tag: $0.element.name, kind: "TABLE DATA", data: true) }
    for entry in entries {
      int(entry.id)
      int(1)  // had dumper
      for text in ["0", "0", entry.tag, entry.kind] { string(text) }
      int(3)  // section
      for text: String? in ["", "", "", "public", nil, nil, "postgres", "false", nil] { string(text) }
      out += [entry.data ? 2 : 3] + [UInt8](repeating: 0, count: 8)
    }
    for (i, table) in tables.enumerated() {
      out.append(1)
      int(i + 2)
      for piece in table.pieces { string(piece) }
      int(0)
    }
    return out
  }

  /// pg_dump writes each COPY row as a piece of its own; the parser walks whole
  /// pieces in place and reads across its 1 MiB hand-over buffers only where a
  /// piece or its length straddles two. The header's length moves every boundary
  /// through every offset of the fixed-size pieces, and each variant must count
  /// and checksum the rows exactly as adding them one by one does.
  func testPostgresRowsAcrossHandOverBoundaries() throws {
    let rows = (0..<200_000).map { String(format: "%07d\tab\n", $0) }  // 11 bytes, 16 with the length
    let other = [
      "1\tmany rows\n2\tin one piece\n3\ta row spl", "it in two\n", "\\.\n", "\n",
    ]
    var expected = FingerprintBuilder()
    for row in rows { Array(row.utf8.dropLast()).withUnsafeBytes { expected.add(row: $0, to: "public.big") } }
    for row in ["1\tmany rows", "2\tin one piece", "3\ta row split in two"] {
      Array(row.utf8).withUnsafeBytes { expected.add(row: $0, to: "public.other") }
    }
    for pad in 0..<16 {
      let inspector = PostgresArchiveInspector()
      feed(inspector, archive([("big", rows), ("other", other)], pad: pad), size: 65_536)
      let found = try XCTUnwrap(inspector.finish())
      XCTAssertEqual(found, expected.fingerprints, "header padded by \(pad)")
    }
  }

  func testTruncatedPostgresArchiveIsCutShort() {
    let inspector = PostgresArchiveInspector()
    feed(inspector, Array("PGDMP".utf8) + [1, 14, 0, 4, 8, 1, 0, 0], size: 3)
    XCTAssertThrowsError(try inspector.finish()) { XCTAssertTrue("\($0)".contains("cut short")) }
    let notArchive = PostgresArchiveInspector()
    feed(notArchive, Array("-- PostgreSQL database dump\n".utf8), size: 100)
    XCTAssertThrowsError(try notArchive.finish())
  }

  /// Rows of every length class of the row hashes: under 8, 8 to 15, over 32 bytes, and empty.
  let rowHashDump = """
    -- MariaDB dump 10.19
    CREATE TABLE `pages` (
      `id` int(11) NOT NULL
    );
    INSERT INTO `pages` VALUES (1,'it\\'s (a), x'),(2,'two; \\\\ three'),(3,'a somewhat longer row, past thirty-two bytes of text'),(4,'');
    -- Dump completed on 2026-11-28  3:00:00

    """

  func fingerprint(_ text: String, _ rowHash: RowHash.Version) throws -> TableFingerprint {
    let inspector = MariaDBDumpInspector(rowHash: rowHash)
    feed(inspector, Array(text.utf8), size: 5)
    return try XCTUnwrap(inspector.finish()?.first)
  }

  /// Sets made before the row hash had versions record no version; verify and drill
  /// recompute their checksums with version 1, which must still give what it gave
  /// then (the value below was computed by the program of that time).
  func testOldFingerprintsAreRecomputedWithTheFirstRowHash() throws {
    let old = try fingerprint(rowHashDump, .one)
    XCTAssertEqual(old.checksum, "7eabbc812385ce3c")
    XCTAssertNil(old.rowHash)
    let recorded = try JSONDecoder().decode(
      [TableFingerprint].self, from: Data(#"[{"table":"pages","rows":4,"checksum":"7eabbc812385ce3c"}]"#.utf8)
    )
    XCTAssertEqual(try RowHash.Version.of(recorded), .one)
    XCTAssertEqual(recorded, [old])
  }

  func testNewFingerprintsRecordTheirRowHash() throws {
    let new = try fingerprint(rowHashDump, .current)
    XCTAssertEqual(new.rowHash, 2)
    XCTAssertEqual(new.checksum, "ea10c1b852ae9fc7")
    XCTAssertEqual(try RowHash.Version.of([new]), .two)
    XCTAssertNotEqual(new.checksum, try fingerprint(rowHashDump, .one).checksum)
    let json = String(decoding: try JSONEncoder().encode(new), as: UTF8.self)
    XCTAssertTrue(json.contains(#""rowHash":2"#), json)
    // Order-independent, content-sensitive, as version 1 was.
    let first = #"(1,'it\'s (a), x'),"#
    let reordered = rowHashDump.replacingOccurrences(of: first, with: "").replacingOccurrences(
      of: "(4,'');", with: "(4,'')," + first.dropLast() + ";")
    XCTAssertNotEqual(reordered, rowHashDump)
    XCTAssertEqual(try fingerprint(reordered, .two), new)
    let swapped = rowHashDump.replacingOccurrences(of: "(4,'')", with: "(4,' ')")
    XCTAssertNotEqual(try fingerprint(swapped, .two).checksum, new.checksum)
  }

  func testFingerprintsFromANewerProgramAreRefusedByName() {
    var future = TableFingerprint(table: "pages", rows: 1, checksum: "0000000000000001")
    future.rowHash = 9
    XCTAssertThrowsError(try RowHash.Version.of([future])) {
      XCTAssertTrue("\($0)".contains("row hash version 9"), "\($0)")
      XCTAssertTrue("\($0)".contains("upgrade"), "\($0)")
    }
  }
}
