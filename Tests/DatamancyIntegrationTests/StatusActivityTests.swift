import DatamancyRepository
import DatamancyStorage
import Foundation
import XCTest

/// The other "last …" figures: a prune, a copy to another repository and a WAL
/// push that fail are failed in all four places (the overview, `status`,
/// `status --json`, `/metrics`), and a later success is the newest truth.
final class StatusActivityTests: DashboardTestCase {
  /// What the four places say; `card` is the overview card's title,
  /// `line` the start of `status`'s line, `metric` the metric's name and labels.
  struct Said {
    var overview: String
    var status: String
    var statusCode: Int32
    var json: [String: Any]
    var metrics: String
  }

  func readEverywhere(card: String, line: String, client: WebClient) throws -> Said {
    let overview = try client.get("/").body
    let cardText = try XCTUnwrap(
      overview.range(of: "\(card)<b>").map { String(overview[$0.upperBound...].prefix(200)) },
      "no '\(card)' card: \(overview)")
    let status = cli.run(["status"])
    let statusLine =
      status.text.split(separator: "\n").first { $0.hasPrefix(line) }.map(String.init) ?? ""
    let json = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: cli.run(["status", "--json"]).stdout) as? [String: Any])
    return Said(
      overview: cardText, status: statusLine, statusCode: status.status, json: json,
      metrics: try client.get("/metrics").body)
  }

  /// Waits until `/metrics` says `metric` passed, then reads the other three
  /// places, which must say passed too.
  func readPassedEverywhere(card: String, line: String, metric: String, client: WebClient) throws -> Said {
    try cli.waitFor("the dashboard to read the run that passed") {
      try client.get("/metrics").body.contains(metric + " 1")
    }
    let said = try readEverywhere(card: card, line: line, client: client)
    XCTAssertTrue(said.overview.contains("badge passed"), said.overview)
    XCTAssertTrue(said.status.contains("passed"), said.status)
    XCTAssertEqual(said.statusCode, 0, said.status)
    return said
  }

  func metric(_ metrics: String, _ name: String) -> String {
    metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map(String.init) ?? ""
  }

  /// A prune that cannot take its lock (another host holds one) did not prune:
  /// failed everywhere. A prune that runs by itself after the dashboard's
  /// "Back up now" (retention.auto) is then the newest, and passed.
  func testAFailedPruneIsFailedEverywhere() throws {
    let client = try cli.prepareDashboard(extra: "retention: { keep_latest: 1, auto: true }")
    XCTAssertEqual(try client.login("otto", "operator-password").status, 303)
    let repository = try Repository.open(storage: LocalStorage(root: cli.repository), password: cli.password)
    let lock = try RepositoryLock.acquire(
      repository, exclusive: false, command: "backup", clock: { Date() }, host: "elsewhere", onLost: { _ in })
    let prune = cli.run(["prune"])
    XCTAssertEqual(prune.status, 11, prune.text + prune.stderr)
    try cli.waitFor("the dashboard to read the prune") { try client.get("/").body.contains("Last prune") }
    var said = try readEverywhere(card: "Last prune", line: "last prune:", client: client)
    XCTAssertTrue(said.overview.contains("badge failed"), said.overview)
    XCTAssertTrue(said.overview.contains("locked"), said.overview)
    XCTAssertTrue(said.status.contains("FAILED"), said.status)
    XCTAssertEqual(said.statusCode, 7)
    XCTAssertEqual((said.json["lastPrune"] as? [String: Any])?["passed"] as? Bool, false)
    XCTAssertEqual(said.json["healthy"] as? Bool, false)
    XCTAssertEqual(metric(said.metrics, "datamancy_prune_last_passed"), "datamancy_prune_last_passed 0")
    XCTAssertEqual(metric(said.metrics, "datamancy_healthy"), "datamancy_healthy 0")

    // `forget --prune` is the same prune, WAL retention included, and so is
    // retention.auto after a backup from the dashboard.
    lock.release()
    XCTAssertTrue(try runAction("backup", client).contains("succeeded"))
    said = try readPassedEverywhere(
      card: "Last prune", line: "last prune:", metric: "datamancy_prune_last_passed", client: client)
    XCTAssertEqual((said.json["lastPrune"] as? [String: Any])?["passed"] as? Bool, true)
    XCTAssertTrue(cli.run(["forget", "--prune"]).text.contains("unused packs"))
    XCTAssertEqual(cli.run(["check"]).status, 0, "the records pass check")
  }

  /// A `copy_to:` copy that fails (the other repository was never initialised)
  /// is failed everywhere though the backup itself stands; `copy --to` once the
  /// cause is fixed is the newest, and passed.
  func testAFailedCopyIsFailedEverywhere() throws {
    let offsite = cli.folder + "/offsite"
    let client = try cli.prepareDashboard(
      extra: "repositories:\n  offsite: { path: \(offsite) }\ncopy_to: [offsite]", backupStatus: 1)
    XCTAssertEqual(try client.login("otto", "operator-password").status, 303)
    try cli.waitFor("the dashboard to read the copy") { try client.get("/").body.contains("Last copy") }
    var said = try readEverywhere(card: "Last copy to offsite", line: "last copy to offsite:", client: client)
    XCTAssertTrue(said.overview.contains("badge failed"), said.overview)
    XCTAssertTrue(said.status.contains("FAILED"), said.status)
    XCTAssertEqual(said.statusCode, 7)
    let copies = try XCTUnwrap(said.json["lastCopies"] as? [[String: Any]])
    XCTAssertEqual(copies.count, 1)
    XCTAssertEqual(copies.first?["target"] as? String, "offsite")
    XCTAssertEqual(copies.first?["passed"] as? Bool, false)
    XCTAssertEqual(
      metric(said.metrics, "datamancy_copy_last_passed{target=\"offsite\"}"),
      "datamancy_copy_last_passed{target=\"offsite\"} 0", said.metrics)

    // The dashboard's "Back up now" copies too, and fails the same way.
    XCTAssertTrue(try runAction("backup", client).contains("copying it failed"))

    XCTAssertEqual(cli.run(["init", "--repo", offsite, "--kdf-cost", "1024"]).status, 0)
    let copy = cli.run(["copy", "--to", "offsite"])
    XCTAssertEqual(copy.status, 0, copy.stderr)
    said = try readPassedEverywhere(
      card: "Last copy to offsite", line: "last copy to offsite:",
      metric: "datamancy_copy_last_passed{target=\"offsite\"}", client: client)
    XCTAssertEqual((said.json["lastCopies"] as? [[String: Any]])?.first?["passed"] as? Bool, true)
  }

  /// A WAL file pushed twice with different bytes (two clusters archiving into
  /// one source) is a failed push everywhere.
  func testAFailedWALPushIsFailedEverywhere() throws {
    let client = try cli.prepareDashboard(
      sources: "  pg: { type: postgres_pitr, socket: \(cli.folder), port: 1, user: postgres }",
      backupStatus: 3)
    XCTAssertEqual(try client.login("vera", "viewer-password").status, 303)
    let name = "000000010000000000000001"
    // Two segments of one name: valid long page headers, different contents.
    try cli.shell(
      """
      mkdir -p one two && python3 -c '
      import struct, sys
      size = 1 << 20
      for folder, fill in (("one", 1), ("two", 2)):
          page = bytearray([fill]) * size
          struct.pack_into("<HHIQ", page, 0, 0xD116, 2, 1, size)
          struct.pack_into("<QII", page, 24, 7000000000000000001, size, 8192)
          open(folder + "/\(name)", "wb").write(page)
      '
      """)
    XCTAssertEqual(cli.run(["wal-push", "--source", "pg", "one/\(name)"]).status, 0)
    let conflicting = cli.run(["wal-push", "--source", "pg", "two/\(name)"])
    XCTAssertEqual(conflicting.status, 1, conflicting.stderr)
    XCTAssertTrue(conflicting.stderr.contains("already archived with different bytes"), conflicting.stderr)
    try cli.waitFor("the dashboard to read the failed push", timeout: 30) {
      try client.get("/").body.contains("1 failed push")
    }
    let said = try readEverywhere(card: "WAL pg", line: "WAL pg:", client: client)
    XCTAssertTrue(said.overview.contains("badge failed"), said.overview)
    XCTAssertTrue(said.status.contains("1 FAILED PUSHES"), said.status)
    XCTAssertEqual(said.statusCode, 7)
    let wal = try XCTUnwrap((said.json["wal"] as? [[String: Any]])?.first)
    XCTAssertEqual(wal["failedPushes"] as? Int, 1)
    XCTAssertEqual(said.json["healthy"] as? Bool, false)
    XCTAssertEqual(
      metric(said.metrics, "datamancy_wal_failed_pushes{source=\"pg\"}"),
      "datamancy_wal_failed_pushes{source=\"pg\"} 1")
  }
}
