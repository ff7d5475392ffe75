import Foundation
import XCTest

/// Two hosts back up into one repository at once: both sets restore, a prune
/// started meanwhile refuses, and what check and prune report is true.
final class ConcurrentBackupTests: XCTestCase {
  func testTwoHostsBackUpAtOnceAndPruneWaitsItsTurn() throws {
    let cli = try CLI()
    try cli.randomFile("data", count: 48 << 20)
    // Both hosts back up the same data (so chunks race to be stored twice); each
    // source stops halfway until the file `go` exists, so the prune and the check
    // below meet both backups running, however slow the machine.
    let slow =
      "[sh, -c, \"head -c 16777216 data; touch half.$$; while [ ! -e go ]; do sleep 0.05; done; tail -c +16777217 data\"]"
    try cli.configure(sources: "    here: { type: command, command: \(slow) }")
    try """
    repository:
      path: \(cli.repository)
    sources:
      there: { type: command, command: \(slow) }
    """.write(toFile: cli.folder + "/other.yml", atomically: true, encoding: .utf8)
    try cli.initialize(["--pack-size", "1048576"])
    let expected = try cli.shell("sha256sum < data")

    let here = cli.start(["backup", "--json"])
    // The second host: its own host name (a UTS namespace), its own configuration.
    let there = cli.start(
      ["--uts", "sh", "-c", "hostname other-host && exec \(CLI.binary) backup --json --config other.yml"],
      executable: "/usr/bin/unshare")
    // Sources start while the key is derived, before the lock: wait for both.
    try cli.waitFor("both backups halfway, each holding its lock") {
      try cli.shell("find . -maxdepth 1 -name 'half.*' | wc -l") == "2" && cli.lockFiles() == 2
    }
    let prune = cli.run(["prune"])
    XCTAssertEqual(prune.status, 11, prune.stderr)
    XCTAssertTrue(prune.stderr.contains("backup"), prune.stderr)
    let check = cli.run(["check"])
    XCTAssertFalse(check.text.contains("interrupted"), "nothing was interrupted: \(check.text)")
    try cli.shell("touch go")
    for process in [here, there] {
      process.waitUntilExit()
      XCTAssertEqual(process.terminationStatus, 0)
    }

    let sets = try cli.sets()
    XCTAssertEqual(Set(sets.compactMap { $0["host"] as? String }).count, 2, "\(sets)")
    for set in sets {
      let id = try XCTUnwrap(set["id"] as? String)
      let item = try XCTUnwrap((set["items"] as? [[String: Any]])?.first?["name"] as? String)
      XCTAssertEqual(try cli.shell("\(CLI.binary) dump \(id) \(item) | sha256sum"), expected)
    }
    let full = cli.run(["check", "--read-data"])
    XCTAssertEqual(full.status, 0, full.text)
    XCTAssertFalse(full.text.contains("warning"), full.text)

    // prune's figures are the pack files' own: before is what is on disk, after
    // is what is on disk once it ran.
    let onDisk = {
      Int(try cli.shell("find repo/data -type f -printf '%s\\n' | awk '{ s += $1 } END { print s + 0 }'"))!
    }
    let dry = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: cli.run(["prune", "--dry-run", "--json"]).stdout)
        as? [String: Any])
    XCTAssertEqual(dry["bytesBefore"] as? Int, try onDisk())
    let real = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: cli.run(["prune", "--json"]).stdout) as? [String: Any])
    XCTAssertEqual(real["bytesBefore"] as? Int, dry["bytesBefore"] as? Int)
    XCTAssertEqual(real["bytesAfter"] as? Int, dry["bytesAfter"] as? Int)
    XCTAssertEqual(real["bytesAfter"] as? Int, try onDisk())
    XCTAssertLessThanOrEqual(try onDisk(), 52 << 20, "chunks stored twice were freed")
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
  }
}
