import Foundation
import XCTest

/// Every page of the dashboard in a real browser (Debian's headless Chromium,
/// JavaScript on), after logging in through the form: a console error, an
/// uncaught exception or a blocked resource fails the test. Screenshots go to
/// $DATAMANCY_SCREENSHOTS (default .build/screenshots; `scripts/screenshots`
/// refreshes the README's).
final class WebBrowserTests: XCTestCase {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  func testEveryPageLoadsInChromiumWithoutAConsoleError() throws {
    let cli = try CLI()
    defer { cli.stopServe() }
    try cli.shell(
      """
      mkdir -p data/grafana/plugins && seq 1 20000 > data/grafana/grafana.db && echo '[server]' > data/grafana/grafana.ini
      echo plugin > data/grafana/plugins/README
      """)
    try cli.configure(
      sources: """
          volumes: { type: files, paths: [\(cli.folder)/data/grafana] }
          inventory: { type: command, command: [sh, -c, 'seq 1 5000'] }
        """,
      extra: "serve: { users: \(cli.folder)/users, quota: 10G }")
    try cli.initialize()
    for day in 1...3 {
      try cli.shell("seq 1 \(day * 1000) >> data/grafana/grafana.db")
      let backup = cli.run(["backup", "--time", "2026-11-2\(day)T02:00:00Z"])
      XCTAssertEqual(backup.status, 0, backup.stderr)
    }
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    XCTAssertEqual(cli.run(["verify", "--all"]).status, 0)
    let drill = cli.run(["drill", "--all"])
    XCTAssertEqual(drill.status, 0, drill.stderr + drill.text)
    cli.addUser("otto", role: "operator", password: "operator-password")
    let port = try cli.startServe()
    let client = WebClient(base: "http://127.0.0.1:\(port)", folder: cli.folder)
    XCTAssertEqual(try client.login("otto", "operator-password").status, 303)
    let started = try client.post("/actions/verify", [("csrf", try client.csrf())])
    let run = try XCTUnwrap(started.header("location"))
    _ = try cli.waitForRun(client, run)

    let set = try XCTUnwrap(try cli.sets().last?["id"] as? String)
    let environment = ProcessInfo.processInfo.environment
    let screenshots = environment["DATAMANCY_SCREENSHOTS"] ?? Self.root.path + "/.build/screenshots"
    let pages = [
      "/", "/sets", "/sets/\(set)", "/browse?set=\(set)&item=volumes%2Fgrafana", "/drills", "/repository",
      "/runs", run, "/restore?set=\(set)&item=volumes%2Fgrafana",
    ]
    let script = Self.root.path + "/Tests/Support/browser_check.py"
    let output = try cli.shell(
      "timeout 300 python3 \(script) http://127.0.0.1:\(port) otto operator-password '\(screenshots)' "
        + pages.map { "'\($0)'" }.joined(separator: " ") + " 2>&1 || echo \"exit status $?\"")
    XCTAssertFalse(output.contains("FAIL") || output.contains("exit status"), output)
    XCTAssertEqual(
      output.split(separator: "\n").filter { $0.contains("header display flex") }.count, pages.count, output)
    for name in ["login", "overview", "sets", "drills", "repository", "runs", "browse"] {
      let size =
        (try? FileManager.default.attributesOfItem(atPath: "\(screenshots)/\(name).png")[.size] as? Int) ?? 0
      XCTAssertGreaterThan(size ?? 0, 10_000, "\(name).png")
    }
  }
}
