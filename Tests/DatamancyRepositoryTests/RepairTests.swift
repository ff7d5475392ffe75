import DatamancyRepository
import DatamancyStorage
import XCTest

/// repair keeps what authenticates and marks what was lost, nothing more.
final class RepairTests: XCTestCase {
  func testATruncatedPackKeepsTheChunksBeforeTheCut() throws {
    let storage = MemoryStorage()
    let repository = try Fixtures.repository(storage)
    let data = Fixtures.bytes(400_000, seed: 11)
    let set = try Fixtures.backup(data, into: repository)
    try repository.loadIndex()
    // Cut the first pack in half: its header (at the end) is gone.
    let pack = try XCTUnwrap(try storage.list(prefix: "data/").sorted().first)
    let bytes = try storage.get(pack)
    try storage.put(pack, data: bytes.prefix(bytes.count / 2))

    let report = try Repairer(repository: repository).run()
    XCTAssertEqual(report.damagedPacks.count, 1)
    XCTAssertGreaterThan(report.chunksSalvaged, 0, "chunks before the cut are kept, found through the index")
    let affected = try XCTUnwrap(report.affectedSets.first)
    XCTAssertEqual(affected.set, set.id)
    let item = try XCTUnwrap(affected.items.first)
    XCTAssertGreaterThan(item.lostChunks, 0)
    XCTAssertLessThan(item.lostChunks, set.items[0].chunks.count)
    // The set stays, marked; the repository passes a full check.
    let marked = try XCTUnwrap(try repository.sets().first)
    XCTAssertEqual(marked.status, .failed)
    XCTAssertTrue(marked.items[0].error?.contains("lost \(item.lostChunks) of") == true)
    let check = try Checker(repository: repository).check(readData: true)
    XCTAssertTrue(check.passed, "\(check.errors)")
    // Backing the same data up again stores only what was lost.
    let again = try Fixtures.backup(data, into: repository)
    XCTAssertEqual(try Fixtures.restore(again, from: repository), data)
    XCTAssertLessThan(again.items[0].storedBytes, data.count)
    XCTAssertTrue(try Checker(repository: repository).check(readData: true).passed)
    XCTAssertFalse(try Repairer(repository: repository).run().changed, "nothing left to repair")
  }

  /// Activity records sort by their time (the folder in their name), are found
  /// newest first, and one that fails authentication is a check error that
  /// repair removes.
  func testActivityRecordsSortByTimeAndADamagedOneIsCheckedAndRepaired() throws {
    let storage = MemoryStorage()
    let repository = try Fixtures.repository(storage)
    let times = [1_700_000_000.5, 1_800_000_000, 1_600_000_000.25].map(Date.init(timeIntervalSince1970:))
    for (number, time) in times.enumerated() {
      try repository.saveActivity(Data("{\"n\":\(number)}".utf8), kind: "copy", time: time)
    }
    XCTAssertEqual(
      try repository.newestActivity(kinds: ["copy"], limit: 2).map { String(decoding: $0, as: UTF8.self) },
      [#"{"n":1}"#, #"{"n":0}"#])
    let names = try repository.activityNames(kind: "copy")
    XCTAssertTrue(names[0].hasPrefix("activity/copy/20270115T080000.000Z/"), names[0])
    XCTAssertTrue(try Checker(repository: repository).check(readData: false).passed)

    var bytes = try storage.get(names[1])
    bytes[bytes.count - 1] ^= 1
    try storage.put(names[1], data: bytes)
    let check = try Checker(repository: repository).check(readData: false)
    XCTAssertEqual(check.errors.map(\.file), [names[1]])
    let repair = try Repairer(repository: repository).run()
    XCTAssertEqual(repair.damagedReports, [names[1]])
    XCTAssertTrue(try Checker(repository: repository).check(readData: false).passed)
  }
}
