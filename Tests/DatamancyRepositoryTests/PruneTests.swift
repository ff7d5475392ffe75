import DatamancyRepository
import DatamancyStorage
import XCTest

/// What prune reports is what it does: a dry run's figures equal the real run's,
/// and both equal the pack files' sizes before and after.
final class PruneTests: XCTestCase {
  func packBytes(_ storage: Storage) throws -> Int {
    try storage.listObjects(prefix: "data/").reduce(0) { $0 + $1.size }
  }

  func testDryRunFiguresAreTheRealRunsAndTheFilesOwn() throws {
    let storage = MemoryStorage()
    let repository = try Fixtures.repository(storage)
    // Interleaved items, so forgetting one leaves mostly unused packs to repack.
    let kept = Fixtures.bytes(600_000, seed: 1)
    let dropped = Fixtures.bytes(600_000, seed: 2)
    let first = try Fixtures.backup(dropped, into: repository, name: "dropped")
    try Fixtures.backup(kept, into: repository, name: "kept")
    let mixed = try Fixtures.backup(dropped + kept, into: repository, name: "mixed")
    try repository.forget(first)
    try repository.forget(mixed)
    let before = try packBytes(storage)

    var pruner = Pruner(repository: repository)
    pruner.repackBelow = 0.9
    let dry = try pruner.run(dryRun: true)
    XCTAssertEqual(dry.bytesBefore, before)
    XCTAssertEqual(try packBytes(storage), before, "a dry run changes nothing")
    let real = try pruner.run()
    XCTAssertGreaterThan(real.repackedPacks + real.unusedPacks, 0)
    XCTAssertEqual(real.bytesBefore, dry.bytesBefore)
    XCTAssertEqual(real.bytesAfter, dry.bytesAfter)
    XCTAssertEqual(try packBytes(storage), real.bytesAfter)
    let set = try XCTUnwrap(try repository.sets().first)
    XCTAssertEqual(try Fixtures.restore(set, from: repository), kept)
    XCTAssertTrue(try Checker(repository: repository).check(readData: true).passed)
  }

  func testMissingPackStopsPruneAndDamagedSetKeepsEverything() throws {
    let storage = MemoryStorage()
    let repository = try Fixtures.repository(storage)
    let old = try Fixtures.backup(Fixtures.bytes(300_000, seed: 3), into: repository)
    try Fixtures.backup(Fixtures.bytes(300_000, seed: 4), into: repository)
    try repository.forget(old)
    // An unreadable set file: prune removes nothing, whatever the other sets use.
    try storage.put("snapshots/stray", data: Data("not a set".utf8))
    let before = try storage.list(prefix: "data/").sorted()
    let report = try Pruner(repository: repository).run()
    XCTAssertEqual(report.damagedSets.map(\.file), ["snapshots/stray"])
    XCTAssertEqual(try storage.list(prefix: "data/").sorted(), before)
    try storage.delete("snapshots/stray")
    // A pack the index names is gone: prune refuses and names it.
    try storage.delete(before[0])
    XCTAssertThrowsError(try Pruner(repository: repository).run()) { error in
      guard case RepositoryError.damaged(let file, _) = error else { return XCTFail("\(error)") }
      XCTAssertEqual(file, before[0])
    }
    XCTAssertEqual(try storage.list(prefix: "data/").count, before.count - 1)
  }
}
