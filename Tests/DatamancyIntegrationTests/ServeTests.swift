import Foundation
import XCTest

/// `serve --schedule`: scheduled backups run, a slow run is never started twice,
/// and /metrics and /health answer.
final class ServeTests: XCTestCase {
  func testScheduledRunsNeverOverlapAndMetricsAreServed() throws {
    let cli = try CLI()
    let log = cli.folder + "/runs.log"
    try cli.configure(
      sources: """
          slow: { type: command, command: [sh, -c, "echo start $(date +%s.%N) >> \(log); seq 1 1000; sleep 3; echo end $(date +%s.%N) >> \(log)"] }
        """,
      extra: """
        schedule: { backup: "*:*:0/2", verify: "2099-01-01 00:00:00", drill: "2099-01-01 00:00:00", persistent: false }
        """)
    try cli.initialize()
    let port = Servers.freePort()
    try cli.shellWithoutOutput(
      "setsid \(CLI.binary) serve --schedule --listen 127.0.0.1:\(port) > serve.log 2>&1 & echo $! > serve.pid"
    )
    defer { _ = try? cli.shell("kill -- -$(cat serve.pid) 2>/dev/null; true") }
    Thread.sleep(forTimeInterval: 11)
    let metrics = try cli.shell("curl -sS http://127.0.0.1:\(port)/metrics")
    XCTAssertTrue(metrics.contains("datamancy_item_ok{item=\"slow\",source=\"slow\"} 1"), metrics)
    XCTAssertTrue(metrics.contains("# TYPE datamancy_repository_sets gauge"), metrics)
    let health = try cli.shell("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:\(port)/health")
    XCTAssertEqual(health, "200", "every item is fresh and nothing failed")
    XCTAssertEqual(
      try cli.shell("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:\(port)/nothing"), "404")
    try cli.shell("kill -- -$(cat serve.pid)")

    // Runs: at least two, and none started before the previous one ended.
    let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
    var runs: [(Double, Double)] = []
    var start: Double?
    for line in lines {
      let parts = line.split(separator: " ")
      let time = Double(parts[1])!
      if parts[0] == "start" {
        XCTAssertNil(start, "a run started while another was going: \(lines)")
        start = time
      } else if let begun = start {
        runs.append((begun, time))
        start = nil
      }
    }
    XCTAssertGreaterThanOrEqual(runs.count, 2, "\(lines)")
    XCTAssertTrue(
      try cli.shell("cat serve.log").contains("the previous run is still going; this run is skipped"))
  }
}
