import DatamancyConfig
import DatamancyOperations
import DatamancyRepository
import DatamancyStorage
import Foundation
import XCTest

/// The operations the command line and the web share, run without either.
final class OperationsTests: XCTestCase {
  let day: TimeInterval = 86400

  func testRetentionRunKeepsWhatThePolicySaysAndTheNewestGoodCopy() throws {
    let repository = try OperationFixtures.repository()
    let start = Date(timeIntervalSince1970: 1_700_000_000)
    for i in 0..<6 {
      try OperationFixtures.backup(
        [("db", "db", OperationFixtures.bytes(20_000, seed: UInt64(i + 1)))], into: repository,
        time: start + Double(i) * day)
    }
    let context = try OperationFixtures.context(
      """
      repository: { path: /unused }
      sources:
        db: { type: command, command: [true] }
      retention: { keep_latest: 2 }
      """)
    let policies = try RetentionRun.policies(context.config)
    let run = RetentionRun(repository: repository, policies: policies)
    let planned = try run.apply(dryRun: true)
    XCTAssertEqual(planned.filter(\.keep).count, 2)
    XCTAssertEqual(try repository.sets().count, 6, "a dry run removes nothing")
    let done = try run.apply(dryRun: false)
    XCTAssertEqual(done.map(\.keep), planned.map(\.keep))
    let left = try repository.sets()
    XCTAssertEqual(left.map(\.time), [start + 4 * day, start + 5 * day])
    // No policy configured: a clear configuration error.
    let none = try OperationFixtures.context("repository: { path: /unused }")
    XCTAssertThrowsError(try RetentionRun.policies(none.config)) { error in
      XCTAssertTrue(error is OperationError, "\(error)")
    }
  }

  /// A table the copy has beyond the recording fails unless it is empty: no
  /// data of the backup can be missing from an empty table.
  func testAnExtraTablePassesOnlyWhenEmpty() {
    let recorded = [TableFingerprint(table: "pages", rows: 2, checksum: "ab")]
    let found =
      recorded + [
        TableFingerprint(table: "general_log", rows: 0, checksum: "00"),
        TableFingerprint(table: "intruder", rows: 1, checksum: "cd"),
      ]
    let checks = FingerprintComparison.compare(recorded: recorded, found: found)
    XCTAssertEqual(checks.map(\.table), ["pages", "general_log", "intruder"])
    XCTAssertEqual(checks.map(\.passed), [true, true, false])
  }

  func testCopyRunCopiesWhatTheTargetLacksOnce() throws {
    let folder = NSTemporaryDirectory() + "copy-run-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: folder) }
    _ = try OperationFixtures.repository(LocalStorage(root: folder))
    let source = try OperationFixtures.repository()
    let data = OperationFixtures.bytes(50_000, seed: 9)
    let set = try OperationFixtures.backup([("files", "files", data)], into: source, time: Date())
    let context = try OperationFixtures.context(
      """
      repository: { path: /unused }
      repositories:
        offsite: { path: \(folder) }
      """, environment: ["DATAMANCY_BACKUP_TO_PASSWORD": OperationFixtures.password])
    let run = CopyRun(context: context, source: source, targetName: "offsite")
    let dry = try run.run([set], sources: [], dryRun: true)
    XCTAssertEqual(dry.plans.count, 1)
    XCTAssertEqual(dry.copied.count, 0)
    let first = try run.run([set], sources: [], dryRun: false)
    XCTAssertEqual(first.label, "offsite")
    XCTAssertEqual(first.copied.map(\.sourceSet), [set.id])
    XCTAssertEqual(try run.run([set], sources: [], dryRun: false).plans.count, 0, "nothing left to copy")
    let target = try Repository.open(
      storage: LocalStorage(root: folder), password: OperationFixtures.password)
    try target.loadIndex()
    let copied = try XCTUnwrap(try target.sets().first)
    var out = Data()
    try ChunkStreamer(repository: target).stream(try ChunkStreamer.ids(of: copied.items[0], set: copied)) {
      out.append($0)
    }
    XCTAssertEqual([UInt8](out), data)
  }

  func testRestoreExecutionWritesAnItemIntoAFolder() throws {
    let folder = NSTemporaryDirectory() + "restore-run-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let repository = try OperationFixtures.repository()
    let data = OperationFixtures.bytes(70_000, seed: 3)
    let set = try OperationFixtures.backup([("export", "export", data)], into: repository, time: Date())
    let context = try OperationFixtures.context("repository: { path: /unused }")
    let target = RestoreTarget(item: set.items[0], place: .folder(folder))
    XCTAssertEqual(target.summary, "export → folder \(folder)/export")
    let record = try RestoreExecution(context: context, repository: repository, set: set).run(target)
    XCTAssertEqual(record.steps.map(\.name), ["restore"])
    XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: folder + "/export")), Data(data))
    // Never over what exists.
    XCTAssertThrowsError(try RestoreExecution(context: context, repository: repository, set: set).run(target))
  }

  func testDrillPlanPicksDatabaseItemsAndScratchTargets() throws {
    let repository = try OperationFixtures.repository()
    let set = try OperationFixtures.backup(
      [
        ("pg/shop", "pg", [1]), ("pg/globals", "pg", [2]), ("cache/rdb", "cache", [3]),
        ("export", "export", [4]),
      ], into: repository, time: Date())
    let context = try OperationFixtures.context(
      """
      repository: { path: /unused }
      sources:
        pg: { type: postgres, host: 127.0.0.1, databases: [shop] }
        cache: { type: redis, host: 127.0.0.1 }
        export: { type: command, command: [true] }
      """)
    let picked = try DrillPlan.select(from: set, names: [], all: false, context: context)
    XCTAssertEqual(picked.map(\.name), ["pg/shop", "cache/rdb"], "database items, not globals or exports")
    XCTAssertEqual(
      try DrillPlan.select(from: set, names: [], all: true, context: context).count, 4)
    XCTAssertEqual(
      try DrillPlan.select(from: set, names: ["export"], all: false, context: context).map(\.name), ["export"]
    )
    XCTAssertThrowsError(try DrillPlan.select(from: set, names: ["nope"], all: false, context: context))
    let (database, _) = DrillPlan.scratch(for: picked[0], repository: repository, context: context)
    XCTAssertTrue(database is DatabaseScratch)
    let (redis, _) = DrillPlan.scratch(for: picked[1], repository: repository, context: context)
    XCTAssertTrue(redis is RedisScratch)
    let (folder, _) = DrillPlan.scratch(for: set.items[3], repository: repository, context: context)
    XCTAssertTrue(folder is FolderScratch)
    XCTAssertEqual(
      SourcePlanning.database(of: set.items[0], context: context).map { $0.1 }, "shop")
    XCTAssertNil(SourcePlanning.database(of: set.items[1], context: context))
  }
}

/// Texts for terminals and phones: total for every input, singular where one.
final class TextTests: XCTestCase {
  func testDurationsNeverTrapAndReadAsDaysPastTwoDays() {
    XCTAssertEqual(Formatting.seconds(42), "42.0s")
    XCTAssertEqual(Formatting.seconds(3 * 3600 + 120), "3h02m")
    XCTAssertEqual(Formatting.seconds(47 * 3600), "47h00m")
    XCTAssertEqual(Formatting.seconds(1000 * 3600), "41d16h")
    XCTAssertFalse(Formatting.seconds(9.2e18).isEmpty)
    XCTAssertEqual(Formatting.seconds(.infinity), "forever")
    XCTAssertEqual(Formatting.seconds(.nan), "-")
    XCTAssertEqual(Formatting.count(1, "table"), "1 table")
    XCTAssertEqual(Formatting.count(2, "table"), "2 tables")
  }

  func testANotificationIsShortLinesWithoutATable() {
    var failed = BackupItem(
      name: "pg/shop", source: "pg", format: .stream, status: .failed,
      error: String(repeating: "pg_dump: error: connection refused ", count: 20), rawBytes: 0, storedBytes: 0,
      durationSeconds: 1, chunks: [])
    failed.warning = nil
    let good = BackupItem(
      name: "files/www", source: "files", format: .tar, status: .ok, rawBytes: 5 << 20, storedBytes: 1 << 20,
      durationSeconds: 2, chunks: [])
    var set = BackupSet(time: Date(), host: "h", durationSeconds: 3, items: [good, failed])
    set.id = "0123456789abcdef"
    let text = BackupSummary.brief(set)
    let lines = text.split(separator: "\n")
    XCTAssertEqual(lines.first, "set 01234567 partial: 1 of 2 items good")
    XCTAssertTrue(lines.allSatisfy { $0.count <= 200 }, text)
    XCTAssertTrue(lines.contains { $0.hasPrefix("✗ pg/shop: pg_dump: error") }, text)
    XCTAssertFalse(text.contains("  "), "no padded columns: \(text)")
  }
}
