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
    try cli.configure(
      sources: "    slow: { type: command, command: [sh, -c, \"seq 1 1000; touch started; sleep 30\"] }")
    try cli.initialize()
    let process = cli.start(["backup"])
    // Sources start while the key is derived, before the lock: wait for both.
    try cli.waitFor("the source to start and the lock to be taken") {
      FileManager.default.fileExists(atPath: cli.folder + "/started") && cli.lockFiles() == 1
    }
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 130)
    XCTAssertEqual(try cli.shell("ls repo/locks | wc -l"), "0")
    XCTAssertEqual(try cli.sets().count, 0)
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
  }

  /// Ctrl-C just after the lock file is written, while the backup still reads the
  /// other locks (2,000 unreadable ones here, to make that moment last): the lock
  /// file goes all the same.
  func testInterruptedWhileTakingTheLockLeavesNoLock() throws {
    let cli = try CLI()
    // The source's sleep is not a wait of the test: it keeps the backup running
    // until the interruption, which the test sends on an event (the lock file).
    try cli.configure(sources: "    slow: { type: command, command: [sh, -c, \"sleep 30\"] }")
    try cli.initialize()
    let junk = 2000
    try cli.shell(
      "mkdir -p repo/locks && for i in $(seq 1 \(junk)); do "
        + "head -c 32768 /dev/urandom > repo/locks/$(printf %064x $i); done")
    let process = cli.start(["backup"])
    // Polled without a pause: the moment between the write and the end of the
    // reading is what this test is about.
    let deadline = Date().addingTimeInterval(120)
    while cli.lockFiles() <= junk && process.isRunning && Date() < deadline {}
    XCTAssertEqual(cli.lockFiles(), junk + 1, "the backup wrote its lock")
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 130)
    XCTAssertEqual(cli.lockFiles(), junk, "only the unreadable files are left")
  }

  /// SIGKILL at uniformly random moments over a whole backup, its last pack, index
  /// and set included (the source ends with its data: no pause after it), each
  /// trial with new data so every run writes all three.
  func testBackupKilledAnywhereIncludingItsLastWrites() throws {
    let cli = try CLI()
    try cli.configure(sources: "    data: { type: command, command: [cat, \(cli.folder)/data] }")
    try cli.initialize(["--pack-size", "1048576"])
    // How long one backup of such data runs, here and now: the shortest of three.
    var duration = Double.infinity
    for run in 1...3 {
      try cli.randomFile("data", count: 96 << 20, seed: "measure-\(run)")
      let started = Date()
      XCTAssertEqual(cli.run(["backup"]).status, 0)
      duration = min(duration, Date().timeIntervalSince(started))
    }
    var lateKills = 0
    var trial = 0
    // At least 16 trials, and on until three kills landed in the last third of a
    // run; a late kill that came after the backup had ended shortens the measure,
    // so a machine faster (less loaded) than at the measure still gets them.
    while trial < 16 || (lateKills < 3 && trial < 48) {
      trial += 1
      try cli.randomFile("data", count: 96 << 20, seed: "trial-\(trial)")
      // Half the trials in the last third of the run, where the last writes are.
      let range = trial % 2 == 0 ? (0.65 * duration)...duration : 0.0...duration
      let (killed, delay) = cli.killWhileRunning(["backup"], after: range)
      if killed && delay >= 0.65 * duration { lateKills += 1 }
      if !killed && trial % 2 == 0 { duration *= 0.8 }
      let check = cli.run(["check", "--read-data"])
      XCTAssertEqual(check.status, 0, "trial \(trial) killed after \(delay)s: \(check.text)\(check.stderr)")
      XCTAssertTrue(try cli.sets().allSatisfy { $0["status"] as? String == "complete" }, "no half set")
    }
    XCTAssertGreaterThan(lateKills, 2, "kills near the end of the run")
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    XCTAssertEqual(
      try cli.shell("\(CLI.binary) dump latest data | sha256sum"), try cli.shell("sha256sum < data"))
  }

  /// A tool started by a backup dies with it, even when the backup is SIGKILLed
  /// (a child that outlived it would keep reading a database).
  func testToolsDieWithAKilledBackup() throws {
    let cli = try CLI()
    try cli.configure(
      sources: """
            direct: { type: command, command: [sleep, "3141"] }
            shell: { type: command, command: [sh, -c, "exec sleep 2718"] }
        """)
    try cli.initialize()
    let process = cli.start(["backup"])
    let deadline = Date().addingTimeInterval(10)
    while try cli.shell("pgrep -fc 'sleep (3141|2718)' || [ $? -eq 1 ]") != "2" && Date() < deadline {
      Thread.sleep(forTimeInterval: 0.05)
    }
    XCTAssertEqual(try cli.shell("pgrep -fc 'sleep (3141|2718)' || [ $? -eq 1 ]"), "2", "both tools started")
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    var left = ""
    for _ in 0..<40 {
      left = try cli.shell("pgrep -fc 'sleep (3141|2718)' || [ $? -eq 1 ]")
      if left == "0" { break }
      Thread.sleep(forTimeInterval: 0.05)
    }
    XCTAssertEqual(left, "0", "tools outlived the killed backup")
  }

  /// SIGTERM during a restore into a folder leaves no `.partial` behind.
  func testInterruptedRestoreRemovesItsPartialFolder() throws {
    let cli = try CLI()
    try cli.randomFile("data", count: 256 << 20)
    try cli.configure(
      sources: "    tree: { type: files, paths: [\(cli.folder)/tree] }")
    try cli.shell("mkdir tree && for i in 1 2 3 4; do cp data tree/file$i; done")
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let process = cli.start(["restore", "latest", "--to", "out"])
    let partial = cli.folder + "/out/tree/tree.partial"
    let deadline = Date().addingTimeInterval(20)
    while !FileManager.default.fileExists(atPath: partial + "/file1") && Date() < deadline {
      Thread.sleep(forTimeInterval: 0.01)
    }
    XCTAssertTrue(FileManager.default.fileExists(atPath: partial + "/file1"), "restore started")
    kill(process.processIdentifier, SIGTERM)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 130)
    XCTAssertEqual(try cli.shell("find out -mindepth 2"), "", "nothing is left that looks like a result")
  }

  /// Temporary files of writes killed midway are removed by the next prune once
  /// no live writer could own them (not written to for 30 minutes).
  func testPruneRemovesTemporaryFilesOfKilledWrites() throws {
    let cli = try CLI()
    try cli.configure(sources: "    s: { type: command, command: [echo, hi] }")
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    try cli.shell(
      """
      set -e
      mkdir -p repo/data/00
      head -c 1000 /dev/urandom > repo/data/00/.tmp-old
      head -c 1000 /dev/urandom > repo/snapshots/.tmp-old
      touch -d '2 hours ago' repo/data/00/.tmp-old repo/snapshots/.tmp-old
      head -c 1000 /dev/urandom > repo/data/00/.tmp-fresh
      """)
    let prune = cli.run(["prune", "--json"])
    XCTAssertEqual(prune.status, 0, prune.stderr)
    let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: prune.stdout) as? [String: Any])
    XCTAssertEqual(report["temporaryFiles"] as? Int, 2)
    XCTAssertEqual(try cli.shell("find repo -name '.tmp-*' | sort"), "repo/data/00/.tmp-fresh")
  }
}
