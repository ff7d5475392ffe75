import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import DatamancyStorage
import Foundation
import XCTest

/// The runs the command line and the web both start: backup, verify, and the
/// removal of named sets, against a repository in a scratch folder.
final class RunTests: XCTestCase {
  var folder = ""

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "runs-" + UUID().uuidString
    _ = try OperationFixtures.repository(LocalStorage(root: folder + "/repo"))
  }

  override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

  func context(_ extra: String = "") throws -> OperationContext {
    try OperationFixtures.context(
      """
      repository: { path: \(folder)/repo }
      sources:
        lines: { type: command, command: [seq, 1, 20000] }
        broken: { type: command, command: [sh, -c, "echo half; exit 3"] }
      \(extra)
      """, environment: ["DATAMANCY_BACKUP_PASSWORD": OperationFixtures.password])
  }

  func testBackupRunStoresTheSourcesAskedForAndReportsEachItem() throws {
    var run = BackupRun(context: try context())
    let planned = Locked(0)
    let finished = Locked<[String]>([])
    run.onPlanned = { items in planned.withLock { $0 = items.count } }
    run.onItem = { item in finished.withLock { $0.append(item.name) } }
    let only = try run.run(sources: ["lines"], tags: ["nightly"], time: nil)
    XCTAssertEqual(only.set.status, .complete)
    XCTAssertEqual(only.set.items.map(\.name), ["lines"])
    XCTAssertEqual(only.set.tags, ["nightly"])
    XCTAssertEqual(planned.withLock { $0 }, 1)
    XCTAssertEqual(finished.withLock { $0 }, ["lines"])
    XCTAssertTrue(only.summary.contains("set \(only.set.shortID) complete"), only.summary)

    let both = try run.run(sources: [], tags: [], time: Date(timeIntervalSince1970: 1_800_000_000))
    XCTAssertEqual(both.set.status, .partial, "one item of two failed")
    XCTAssertEqual(both.set.time, Date(timeIntervalSince1970: 1_800_000_000))
    XCTAssertTrue(both.summary.contains("broken: "), both.summary)
    XCTAssertThrowsError(try run.run(sources: ["nope"], tags: [], time: nil)) { error in
      XCTAssertTrue("\(error)".contains("no source named 'nope'"), "\(error)")
    }
  }

  func testACopyThatFailsLeavesTheBackupStanding() throws {
    let context = try context(
      """
      repositories:
        offsite: { path: \(folder)/missing }
      copy_to: [offsite]
      """)
    let outcome = try BackupRun(context: context).run(sources: ["lines"], tags: [], time: nil)
    XCTAssertEqual(outcome.set.status, .complete)
    XCTAssertEqual(outcome.copies.map(\.target), ["offsite"])
    let failure = try XCTUnwrap(outcome.copyFailure)
    XCTAssertTrue(failure.description.contains("offsite: "), failure.description)
    XCTAssertEqual(try context.openRepository().sets().map(\.id), [outcome.set.id])
  }

  func testVerifyRunPassesAFreshSetAndSavesItsReport() throws {
    let context = try context()
    let set = try BackupRun(context: context).run(sources: ["lines"], tags: [], time: nil).set
    let report = try VerifyRun(context: context).run(set: "latest", all: false)
    XCTAssertTrue(report.passed, report.text)
    XCTAssertTrue(report.text.hasSuffix("verify passed: \(report.findings.count) checks"), report.text)
    XCTAssertTrue(report.findings.allSatisfy { $0.set.hasPrefix(set.shortID) || $0.set == set.id })
    let reports = try LocalStorage(root: folder + "/repo").list(prefix: "reports/")
    XCTAssertEqual(reports.count, 1, "\(reports)")
  }

  /// What an item's source recorded it holds must show in its bytes: a dump that
  /// no longer reads as one, a kind this version does not know, or fingerprints on
  /// bytes of no dump format fail verify instead of passing as "every chunk read".
  func testVerifyFailsAnItemWhoseBytesAreNotWhatItsSourceRecorded() throws {
    let context = try context()
    let repository = try context.openRepository()
    let text = Array("1\n2\n3\n".utf8)
    let cases: [(content: ItemContent?, fingerprints: Bool, failure: String?)] = [
      (.commandOutput, false, nil),
      (nil, false, nil),
      (.postgresGlobals, false, nil),
      (.postgresArchive, false, "recorded as a pg_dump archive, but its first bytes are bytes of no format"),
      (.redisSnapshot, false, "recorded as a Redis snapshot"),
      (
        ItemContent(rawValue: "mongodb-archive"), false,
        "holds 'mongodb-archive', which this version cannot check"
      ),
      (nil, true, "has table fingerprints but its bytes are no dump this tool reads"),
    ]
    for (n, expected) in cases.enumerated() {
      try OperationFixtures.backup(
        [(name: "lines", source: "lines", data: text + Array("case \(n)".utf8))], into: repository,
        time: Date().addingTimeInterval(Double(n - 100))
      ) { item in
        item.content = expected.content
        if expected.fingerprints {
          item.fingerprints = [TableFingerprint(table: "t", rows: 3, checksum: "00")]
        }
      }
      let report = try VerifyRun(context: context).run(set: "latest", all: false)
      let finding = try XCTUnwrap(
        report.findings.first { $0.item == "lines" && $0.check == "integrity" }, report.text)
      if let failure = expected.failure {
        XCTAssertFalse(report.passed, "case \(n): \(report.text)")
        XCTAssertTrue(finding.detail.contains(failure), "case \(n): \(finding.detail)")
      } else {
        XCTAssertTrue(report.passed, "case \(n): \(report.text)")
      }
    }
  }

  func testNamedRemovalRemovesExactlyTheNamedSets() throws {
    let context = try context()
    let run = BackupRun(context: context)
    let first = try run.run(sources: ["lines"], tags: [], time: nil).set
    let second = try run.run(sources: ["lines"], tags: [], time: nil).set
    let repository = try context.openRepository()
    let removal = NamedRemoval(context: context, repository: repository)
    XCTAssertThrowsError(try removal.run([""], dryRun: false), "an empty name matches nothing")
    XCTAssertThrowsError(try removal.run([first.shortID, "ffffffffff"], dryRun: false))
    XCTAssertEqual(try repository.sets().count, 2, "nothing removed while one name matched nothing")
    XCTAssertEqual(try removal.run([first.shortID], dryRun: true), [first.id])
    XCTAssertEqual(try repository.sets().count, 2)
    XCTAssertEqual(try removal.run([first.shortID], dryRun: false), [first.id])
    XCTAssertEqual(try repository.sets().map(\.id), [second.id])
  }

  func testASafetyCopyIsNeitherStatusNorVerifyNorAnRPO() throws {
    let now = Date()
    let context = try OperationFixtures.context(
      """
      repository: { path: \(folder)/repo }
      sources:
        pg: { type: postgres, host: 127.0.0.1, databases: [shop], rpo: 24h }
      """, environment: ["DATAMANCY_BACKUP_PASSWORD": OperationFixtures.password], now: now)
    let repository = try context.openRepository()
    let data = OperationFixtures.bytes(5000, seed: 3)
    let backup = try OperationFixtures.backup(
      [("pg/shop", "pg", data)], into: repository, time: now - 30 * 3600)
    let safety = try OperationFixtures.backup(
      [("pg/shop", "pg", data)], into: repository, time: now - 60, tags: [BackupSet.safetyCopyTag])
    let status = try StatusReport.build(try context.openRepository(), context: context)
    let shop = try XCTUnwrap(status.items.first { $0.item == "pg/shop" })
    XCTAssertEqual(shop.state, .late, "the safety copy does not satisfy the RPO")
    XCTAssertEqual(status.lastRun?.set, backup.id)
    let verified = try VerifyRun(context: context).run(set: "latest", all: true)
    XCTAssertFalse(verified.findings.isEmpty)
    XCTAssertFalse(verified.findings.contains { safety.id.hasPrefix($0.set) }, "\(verified.findings)")
    XCTAssertTrue(verified.findings.contains { $0.check == "age" && !$0.passed }, verified.text)
  }
}
