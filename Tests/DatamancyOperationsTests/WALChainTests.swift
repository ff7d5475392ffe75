import DatamancyOperations
import DatamancySources
import DatamancyStorage
import XCTest

/// The WAL chain a base backup needs, from names alone: segment names for any
/// segment size, timelines followed through `.history` files, gaps named.
final class WALChainTests: XCTestCase {
  func testSegmentNamesForEverySize() {
    // 16 MiB: 256 segments per 4 GiB "log"; 1 MiB: 4,096; 1 GiB: 4.
    let size16 = 16 << 20
    let last = WALSegment(name: "0000000100000000000000FF", size: size16)!
    XCTAssertEqual(
      WALSegment(timeline: 1, number: last.number + 1, size: size16).name, "000000010000000100000000")
    let size1 = 1 << 20
    let small = WALSegment(name: "000000010000000000000FFF", size: size1)!
    XCTAssertEqual(
      WALSegment(timeline: 1, number: small.number + 1, size: size1).name, "000000010000000100000000")
    XCTAssertNil(WALSegment(name: "000000010000000000001000", size: size1), "past the last segment of a log")
    XCTAssertEqual(
      WALSegment(timeline: 2, lsn: LSN.parse("1/40000028")!, size: 1 << 30).name, "000000020000000100000001")
    XCTAssertEqual(LSN.format(LSN.parse("16/B374D848")!), "16/B374D848")
    XCTAssertNil(LSN.parse("16-B374D848"))
  }

  /// One name type for the archive and for `wal-push`'s header check: names and
  /// sizes that no cluster writes are refused, and no size read from a damaged
  /// repository makes the arithmetic trap.
  func testOddNamesAndSizesAreRefusedWithoutATrap() throws {
    for size in [0, 1, 3 << 20, 1 << 31, Int.max] {
      XCTAssertNil(WALSegment(name: "000000010000000000000001", size: size), "size \(size)")
      let segment = WALSegment(timeline: 1, lsn: .max, size: size)
      XCTAssertEqual(segment.name.count, 24)
      XCTAssertGreaterThanOrEqual(segment.endLSN, segment.number)
    }
    XCTAssertEqual(WALSegment(timeline: .max, number: .max, size: 16 << 20).endLSN, .max)
    for name in ["00000001000000000000000a", "+0000001000000000000000A", "0000000100000000000000", "x"] {
      XCTAssertNil(WALSegment(name: name, size: 16 << 20), name)
    }
    // wal-push's check: the name's segment must be the header's; a segment
    // number past the last of a log is no segment of that size.
    func segment(_ name: String, address: UInt64) -> Data {
      var page = Data(count: 1 << 20)
      page.withUnsafeMutableBytes { raw in
        raw.storeBytes(of: UInt16(2).littleEndian, toByteOffset: 2, as: UInt16.self)
        raw.storeBytes(of: UInt32(1).littleEndian, toByteOffset: 4, as: UInt32.self)
        raw.storeBytes(of: address.littleEndian, toByteOffset: 8, as: UInt64.self)
        raw.storeBytes(of: UInt32(1 << 20).littleEndian, toByteOffset: 32, as: UInt32.self)
      }
      return page
    }
    let good = try XCTUnwrap(WALFile(name: "000000010000000200000003"))
    XCTAssertNoThrow(try good.check(segment(good.name, address: (2 * 4096 + 3) << 20), systemID: nil))
    XCTAssertThrowsError(try good.check(segment(good.name, address: 3 << 20), systemID: nil))
    let past = try XCTUnwrap(WALFile(name: "000000010000000000001000"))
    XCTAssertThrowsError(try past.check(segment(past.name, address: 4096 << 20), systemID: nil))
    // A timeline begun mid-segment: its first segment starts with timeline 1's
    // pages; a segment whose header names a later timeline than its name is refused.
    let branched = try XCTUnwrap(WALFile(name: "000000020000000000000003"))
    XCTAssertNoThrow(try branched.check(segment(branched.name, address: 3 << 20), systemID: nil))
    let ahead = try XCTUnwrap(WALFile(name: "000000000000000000000003"))
    XCTAssertThrowsError(try ahead.check(segment(ahead.name, address: 3 << 20), systemID: nil))
  }

  func testTheChainFollowsTheTimelineThatDescendsFromTheBaseBackup() throws {
    let size = 16 << 20
    let label = try XCTUnwrap(
      BackupLabel.parse(
        Data(
          """
          START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
          STOP WAL LOCATION: 0/2000100 (file 000000010000000000000002)
          START TIME: 2026-12-01 10:00:00 UTC
          STOP TIME: 2026-12-01 10:00:01 UTC
          START TIMELINE: 1
          LABEL: datamancy-backup
          """.utf8), file: "000000010000000000000002.00000028.backup"))
    // Timeline 2 left timeline 1 in segment 5; a later timeline 3 left 2 in segment 7.
    let histories: [UInt32: TimelineHistory] = [
      2: TimelineHistory.parse(Data("1\t0/5000A00\tno recovery target specified\n".utf8), timeline: 2)!,
      3: TimelineHistory.parse(Data("1\t0/5000A00\tx\n2\t0/7000100\ty\n".utf8), timeline: 3)!,
    ]
    let names = [
      "000000010000000000000002", "000000010000000000000003", "000000010000000000000004",
      "000000010000000000000005", "000000010000000000000006",  // timeline 1 after the switch: not read
      "000000020000000000000005", "000000020000000000000006", "000000020000000000000007",
      "000000030000000000000007", "000000030000000000000009",
    ]
    let state = WALArchiveState(
      source: "pg",
      objects: Dictionary(uniqueKeysWithValues: names.map { ($0, ObjectInfo(name: $0, size: 1)) }),
      segmentSize: size, segments: names.compactMap { WALSegment(name: $0, size: size) }.sorted(),
      histories: histories, labels: [label])
    let chain = state.chain(from: label)
    XCTAssertEqual(chain.timeline, 3)
    XCTAssertEqual(
      chain.expected.map(\.name),
      [
        "000000010000000000000002", "000000010000000000000003", "000000010000000000000004",
        "000000020000000000000005", "000000020000000000000006", "000000030000000000000007",
        "000000030000000000000008", "000000030000000000000009",
      ])
    XCTAssertEqual(chain.gaps, ["000000030000000000000008"])
    XCTAssertEqual(chain.contiguous.last?.name, "000000030000000000000007")
    XCTAssertTrue(chain.complete)
    // A base backup taken on timeline 1 after the switch stays on timeline 1.
    var later = label
    later.startLSN = LSN.parse("0/6000028")!
    later.stopLSN = LSN.parse("0/6000100")!
    XCTAssertEqual(state.chain(from: later).timeline, 1)
    XCTAssertEqual(state.chain(from: later).expected.map(\.name), ["000000010000000000000006"])
  }
}
