import Foundation
import XCTest

/// `verify` passes a good set and names the reason for each kind of bad one.
final class VerifyTests: XCTestCase {
  func failures(_ cli: CLI, _ arguments: [String] = ["verify", "--json"]) throws -> (Int32, [[String: Any]]) {
    let result = cli.run(arguments)
    let report = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] ?? [:]
    let findings = report["findings"] as? [[String: Any]] ?? []
    return (result.status, findings.filter { $0["passed"] as? Bool == false })
  }

  func testGoodSetPassesAndEachBadOneFailsWithItsReason() throws {
    let cli = try CLI()
    let servers = Servers(cli: cli)
    addTeardownBlock { servers.stopAll() }
    let pg = try servers.startPostgres()
    try cli.shell(
      """
      set -e
      createdb app
      psql -q -d app -c "create table t(id int, v text); insert into t select i, md5(i::text) from generate_series(1, 20000) i"
      seq 1 100000 > lines
      mkdir -p vol && echo hello > vol/a
      """)
    try cli.configure(
      sources: """
          db: { type: postgres, socket: \(pg.dir), port: \(pg.port), user: postgres, databases: [app], globals: false }
          lines: { type: command, command: [cat, \(cli.folder)/lines] }
          vol: { type: files, paths: [\(cli.folder)/vol] }
          truncated: { type: command, command: [sh, -c, "pg_dump -Fc -Z0 app | head -c 4000"] }
        """)
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup", "--source", "db", "--source", "lines", "--source", "vol"]).status, 0)
    let firstSet = try cli.sets()[0]["id"] as! String
    let firstPack = try cli.shell("cd repo && find data -type f | head -1")
    let (status, bad) = try failures(cli, ["verify", "--json", "--report", cli.folder + "/report.json"])
    XCTAssertEqual(status, 0, "\(bad)")
    XCTAssertTrue(try cli.shell("cat report.json").contains("fingerprints of 1 table match"))

    // A truncated pg_dump stored as a good command item: pg_restore --list rejects it.
    try cli.shell("seq 1 10 > lines")
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let (status2, bad2) = try failures(cli)
    XCTAssertEqual(status2, 5)
    let reasons = Dictionary(grouping: bad2, by: { "\($0["item"]!)/\($0["check"]!)" })
    XCTAssertNotNil(reasons["truncated/integrity"], "\(bad2)")
    XCTAssertNotNil(reasons["lines/shrink"], "\(bad2)")
    XCTAssertEqual(reasons.count, 2, "\(bad2)")

    // Older than the RPO.
    try cli.configure(
      sources: "    lines: { type: command, command: [cat, \(cli.folder)/lines], rpo: 1s }")
    Thread.sleep(forTimeInterval: 2)
    let (status3, bad3) = try failures(cli, ["verify", "--json", "--all"])
    XCTAssertEqual(status3, 5)
    XCTAssertTrue(
      bad3.contains { $0["item"] as? String == "lines" && $0["check"] as? String == "age" }, "\(bad3)")

    // A damaged pack file is named.
    try cli.flipByte("repo/\(firstPack)", at: 200)
    let (status4, bad4) = try failures(cli, ["verify", "--json", firstSet])
    XCTAssertEqual(status4, 5)
    XCTAssertTrue(bad4.contains { ($0["detail"] as? String ?? "").contains(firstPack) }, "\(bad4)")
  }

  func testFailedOrEmptyItemFailsVerify() throws {
    let cli = try CLI()
    try cli.configure(
      sources: """
          empty: { type: command, command: ["true"] }
          fine: { type: command, command: [echo, hi] }
        """)
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 3)
    let (status, bad) = try failures(cli)
    XCTAssertEqual(status, 5)
    XCTAssertTrue(
      bad.contains {
        $0["item"] as? String == "empty" && ($0["detail"] as? String ?? "").contains("no output")
      }, "\(bad)")
    XCTAssertFalse(bad.contains { $0["item"] as? String == "fine" })
  }
}
