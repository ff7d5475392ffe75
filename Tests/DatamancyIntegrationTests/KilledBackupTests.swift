import Foundation
import XCTest

/// SIGKILL at random moments never damages the repository or leaves a half set,
/// and the next backup reuses what the killed one wrote.
final class KilledBackupTests: XCTestCase {
  func testBackupKilledAtRandomMoments() throws {
    let cli = try CLI()
    try cli.randomFile("data", count: 384 << 20)
    // The pause after the data keeps every run alive past the longest delay, so each
    // kill lands in a running backup whatever the machine's speed.
    try cli.configure(
      sources: "    data: { type: command, command: [sh, -c, \"cat \(cli.folder)/data; sleep 2\"] }")
    try cli.initialize(["--pack-size", "1048576"])
    var reusedOnce = false
    var killedMidway = 0
    for trial in 1...20 {
      let (killed, delay) = cli.killWhileRunning(["backup"], after: 0.05...1.5)
      if killed { killedMidway += 1 }
      let check = cli.run(["check", "--read-data"])
      XCTAssertEqual(check.status, 0, "trial \(trial) after \(delay)s: \(check.text)\(check.stderr)")
      let sets = try cli.sets()
      XCTAssertTrue(sets.allSatisfy { $0["status"] as? String == "complete" }, "no half set")
      if killed && trial % 5 == 0 {
        // The next backup succeeds, and reuses the chunks the killed one indexed.
        let backup = cli.run(["backup", "--json"])
        XCTAssertEqual(backup.status, 0, backup.stderr)
        let set = try JSONSerialization.jsonObject(with: backup.stdout) as! [String: Any]
        let item = (set["items"] as! [[String: Any]])[0]
        XCTAssertEqual(item["rawBytes"] as? Int, 402_653_184)
        if (item["storedBytes"] as! Int) < 402_653_184 { reusedOnce = true }
      }
    }
    XCTAssertEqual(killedMidway, 20, "every trial must kill a running backup")
    XCTAssertTrue(reusedOnce, "no backup after a kill reused written chunks")
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 0)
    XCTAssertEqual(
      try cli.shell("\(CLI.binary) dump latest data | sha256sum"), try cli.shell("sha256sum < data"))
  }

  func testInterruptedBackupExits130AndLeavesNoLock() throws {
    let cli = try CLI()
    try cli.configure(sources: "    slow: { type: command, command: [sh, -c, \"seq 1 1000; sleep 30\"] }")
    try cli.initialize()
    let process = cli.start(["backup"])
    Thread.sleep(forTimeInterval: 1)
    XCTAssertEqual(try cli.shell("ls repo/locks | wc -l"), "1")
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 130)
    XCTAssertEqual(try cli.shell("ls repo/locks | wc -l"), "0")
    XCTAssertEqual(try cli.sets().count, 0)
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
  }
}
