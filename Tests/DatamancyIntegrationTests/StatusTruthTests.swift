import DatamancyRepository
import DatamancyStorage
import Foundation
import XCTest

/// Monitoring never says better than the truth: after a failed verify, drill or
/// backup — from the command line or from the dashboard — the overview, `status`,
/// `status --json` and `/metrics` all say failed.
final class StatusTruthTests: DashboardTestCase {
  /// What the four places say of the newest `kind` ("verify", "drill"): the
  /// overview's card, `status`'s line, `status --json`'s `passed`, and the metric.
  func readEverywhere(_ kind: String, client: WebClient) throws -> (
    overview: String, status: String, json: Bool?, metric: String
  ) {
    let overview = try client.get("/").body
    let card = try XCTUnwrap(
      overview.range(of: "Last \(kind)<b>").map { String(overview[$0.upperBound...].prefix(80)) },
      "no 'Last \(kind)' card: \(overview)")
    let status = cli.run(["status"])
    XCTAssertEqual(status.status, 7, "a failed \(kind) makes status unhealthy: \(status.text)")
    let line =
      status.text.split(separator: "\n").first { $0.hasPrefix("last \(kind):") }.map(String.init) ?? ""
    let json = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: cli.run(["status", "--json"]).stdout) as? [String: Any])
    let check = json["last" + kind.capitalized] as? [String: Any]
    let metrics = try client.get("/metrics").body
    let metric =
      metrics.split(separator: "\n").first { $0.hasPrefix("datamancy_\(kind)_last_passed ") }.map(String.init)
      ?? ""
    return (card, line, check?["passed"] as? Bool, metric)
  }

  func assertFailedEverywhere(_ kind: String, client: WebClient, _ when: String) throws {
    let said = try readEverywhere(kind, client: client)
    XCTAssertTrue(said.overview.contains("badge failed"), "\(when): overview says \(said.overview)")
    XCTAssertTrue(said.status.contains("FAILED"), "\(when): status says '\(said.status)'")
    XCTAssertEqual(said.json, false, "\(when): status --json")
    XCTAssertEqual(said.metric, "datamancy_\(kind)_last_passed 0", "\(when): /metrics")
  }

  /// One verify run checks several sets and saves a report with each: one set's
  /// failure is the run's, whichever report is listed first.
  func testAVerifyThatFailedOnOneOfItsSetsIsFailedEverywhere() throws {
    let fresh = (1...7).map { "  s\($0): { type: command, command: [echo, \($0)] }" }.joined(separator: "\n")
    try cli.shell("seq 1 20000 > shrinking.txt")
    let client = try cli.prepareDashboard(
      sources: "  shrunk: { type: command, command: [cat, \(cli.folder)/shrinking.txt] }\n" + fresh)
    // Each item's newest copy in a set of its own; the shrunk one a hundredth of
    // its size before, which verify calls a failure.
    try cli.shell("seq 1 20 > shrinking.txt")
    XCTAssertEqual(cli.run(["backup", "--source", "shrunk"]).status, 0)
    for number in 1...7 { XCTAssertEqual(cli.run(["backup", "--source", "s\(number)"]).status, 0) }
    XCTAssertEqual(try client.login("otto", "operator-password").status, 303)

    let verify = cli.run(["verify", "--all"])
    XCTAssertEqual(verify.status, 5, verify.text)
    XCTAssertTrue(verify.text.contains("verify FAILED: 1 of"), verify.text)
    try cli.waitFor("the dashboard to read the report") { try client.get("/").body.contains("Last verify") }
    try assertFailedEverywhere("verify", client: client, "verify --all from the command line")

    // "Verify now" from the dashboard runs the same and is read the same.
    let page = try runAction("verify", client)
    XCTAssertTrue(page.contains("verify FAILED"), page)
    try assertFailedEverywhere("verify", client: client, "Verify now")

    // A newer verify that passes is the newest truth.
    XCTAssertEqual(cli.run(["backup", "--source", "shrunk"]).status, 0)
    XCTAssertEqual(cli.run(["verify", "--all"]).status, 0)
    try cli.waitFor("the passing verify to be read") {
      try client.get("/metrics").body.contains("datamancy_verify_last_passed 1")
    }
    XCTAssertTrue(cli.run(["status"]).text.contains("last verify: passed"))
  }

  /// A drill that fails (the restored copy differs from the fingerprints), from
  /// the command line and from "Drill now".
  func testAFailedDrillIsFailedEverywhere() throws {
    let client = try cli.prepareDashboard(extra: "drill: { items: [note] }")
    XCTAssertEqual(try client.login("otto", "operator-password").status, 303)
    // The set claims one byte more than its item holds: the drill finds it.
    try doctorNewestSet()
    let drill = cli.run(["drill"])
    XCTAssertEqual(drill.status, 6, drill.text + drill.stderr)
    try cli.waitFor("the dashboard to read the drill") { try client.get("/").body.contains("Last drill") }
    try assertFailedEverywhere("drill", client: client, "drill from the command line")
    XCTAssertTrue(try runAction("drill", client).contains("failed"))
    try assertFailedEverywhere("drill", client: client, "Drill now")
  }

  /// A backup whose source fails: the item is failed in all four places.
  func testAFailedBackupIsFailedEverywhere() throws {
    let client = try cli.prepareDashboard(
      sources: "  flaky: { type: command, command: [sh, -c, 'test -e broken && exit 3; echo ok'] }")
    XCTAssertEqual(try client.login("otto", "operator-password").status, 303)
    try cli.shell("touch broken")
    XCTAssertTrue(try runAction("backup", client).contains("failed"))
    try cli.waitFor("the dashboard to read the set") {
      try client.get("/metrics").body.contains("datamancy_run_last_items{status=\"failed\"} 1")
    }
    let overview = try client.get("/").body
    let row = try XCTUnwrap(
      overview.range(of: "<td>flaky").map { String(overview[$0.upperBound...].prefix(400)) })
    XCTAssertTrue(row.contains("badge failed"), row)
    let status = cli.run(["status"])
    XCTAssertEqual(status.status, 7)
    XCTAssertNotNil(status.text.range(of: #"(?m)^failed +flaky "#, options: .regularExpression), status.text)
    XCTAssertTrue(status.text.contains("last backup: partial"), status.text)
    let json = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: cli.run(["status", "--json"]).stdout) as? [String: Any])
    let item = (json["items"] as? [[String: Any]])?.first { $0["item"] as? String == "flaky" }
    XCTAssertEqual(item?["state"] as? String, "failed")
    XCTAssertEqual((json["lastRun"] as? [String: Any])?["status"] as? String, "partial")
    let metrics = try client.get("/metrics").body
    XCTAssertTrue(metrics.contains("datamancy_item_last_status{item=\"flaky\",source=\"flaky\"} 0"), metrics)
    XCTAssertTrue(metrics.contains("datamancy_healthy 0"), metrics)
  }

  /// Saves a copy of the newest set whose `note` item claims one byte more than
  /// it holds, as a faulty backup could have written it; it becomes the newest.
  func doctorNewestSet() throws {
    let repository = try Repository.open(storage: LocalStorage(root: cli.repository), password: cli.password)
    var doctored = try XCTUnwrap(try repository.sets().last)
    let index = try XCTUnwrap(doctored.items.firstIndex { $0.name == "note" })
    doctored.items[index].rawBytes += 1
    doctored.time += 1
    _ = try repository.save(doctored)
  }
}
