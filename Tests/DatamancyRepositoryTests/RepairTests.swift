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
}
