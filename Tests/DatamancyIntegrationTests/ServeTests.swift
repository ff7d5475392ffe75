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
    // Waits for the events: two runs ended, and a start skipped while one ran.
    try cli.waitFor("two scheduled runs and a skipped one", timeout: 300) {
      let runs = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
      let serve = (try? String(contentsOfFile: cli.folder + "/serve.log", encoding: .utf8)) ?? ""
      return runs.components(separatedBy: "end ").count > 2
        && serve.contains("the previous run is still going; this run is skipped")
    }
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

  /// Many scrapes, idle and half-sent connections at once never stall /health.
  func testHealthAnswersUnderLoad() throws {
    let cli = try CLI()
    try cli.configure(sources: "    s: { type: command, command: [echo, hi] }")
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let port = Servers.freePort()
    try cli.shellWithoutOutput(
      "setsid \(CLI.binary) serve --listen 127.0.0.1:\(port) > serve.log 2>&1 & echo $! > serve.pid")
    defer { _ = try? cli.shell("kill -- -$(cat serve.pid) 2>/dev/null; true") }
    let url = "http://127.0.0.1:\(port)"
    var ready = false
    for _ in 0..<100 where !ready {
      ready = (try? cli.shell("curl -sf -o /dev/null \(url)/health")) != nil
      if !ready { Thread.sleep(forTimeInterval: 0.05) }
    }
    let log = (try? cli.shell("cat serve.log")) ?? ""
    XCTAssertTrue(ready, log)
    // 10 idle connections and 10 that sent half a request, held open throughout.
    var held: [Int32] = []
    for i in 0..<20 {
      held.append(openConnection(port, sending: i < 10 ? "" : "GET /metrics HTTP/1.1\r\nHost: x\r\n"))
    }
    defer { for fd in held { close(fd) } }
    // 200 scrapes at once, while /health is timed five times.
    let burst = Process()
    burst.executableURL = URL(fileURLWithPath: "/bin/bash")
    burst.arguments = [
      "-c",
      "seq 200 | xargs -P 200 -I{} curl -s -o /dev/null -w '%{http_code}\\n' \(url)/metrics > codes.txt",
    ]
    burst.currentDirectoryURL = URL(fileURLWithPath: cli.folder)
    try burst.run()
    // Each answered while the burst runs and the held connections stay open; the
    // bound catches a stall (a held connection blocking the server), not speed.
    for _ in 0..<5 {
      let code = try cli.shell("curl -s -o /dev/null -m 30 -w '%{http_code}' \(url)/health")
      XCTAssertEqual(code, "200")
    }
    burst.waitUntilExit()
    let codes = try cli.shell("sort codes.txt | uniq -c").trimmingCharacters(in: .whitespaces)
    XCTAssertEqual(codes, "200 200", "every scrape answered")
    // IPv6 as well.
    let port6 = Servers.freePort()
    try cli.shellWithoutOutput(
      "setsid \(CLI.binary) serve --listen '[::1]:\(port6)' > serve6.log 2>&1 & echo $! > serve6.pid")
    defer { _ = try? cli.shell("kill -- -$(cat serve6.pid) 2>/dev/null; true") }
    var code = ""
    for _ in 0..<100 where code != "200" {
      code = (try? cli.shell("curl -sg -o /dev/null -w '%{http_code}' 'http://[::1]:\(port6)/health'")) ?? ""
      if code != "200" { Thread.sleep(forTimeInterval: 0.05) }
    }
    let log6 = (try? cli.shell("cat serve6.log")) ?? ""
    XCTAssertEqual(code, "200", log6)
  }
}
