import DatamancyRepository
import DatamancyStorage
import Foundation
import XCTest

/// Bad input gets one clear message and a documented exit code, and loses nothing.
final class FailureCLITests: XCTestCase {
  func testFailedCommandsMakeAPartialSetAndTheRestIsIntact() throws {
    let cli = try CLI()
    try cli.configure(
      sources: """
          good: { type: command, command: [sh, -c, "seq 1 100000"] }
          exits: { type: command, command: [sh, -c, "seq 1 1000; echo 'dump failed: disk on fire' >&2; exit 3"] }
          killed: { type: command, command: [sh, -c, "seq 1 1000; kill -9 $$"] }
          silent: { type: command, command: ["true"] }
          missing: { type: command, command: [no-such-dump-tool] }
        """)
    try cli.initialize()
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 3, backup.text + backup.stderr)
    XCTAssertTrue(backup.text.contains("disk on fire"), backup.text)
    XCTAssertTrue(backup.text.contains("killed by signal 9"), backup.text)
    XCTAssertTrue(backup.text.contains("produced no output"), backup.text)
    XCTAssertTrue(backup.text.contains("not found"), backup.text)
    let set = try cli.sets().last!
    XCTAssertEqual(set["status"] as? String, "partial")
    let statuses = Dictionary(
      uniqueKeysWithValues: (set["items"] as! [[String: Any]]).map {
        ($0["name"] as! String, $0["status"] as! String)
      })
    XCTAssertEqual(
      statuses,
      ["good": "ok", "exits": "failed", "killed": "failed", "silent": "failed", "missing": "failed"])
    XCTAssertEqual(
      try cli.shell("\(CLI.binary) dump latest good | sha256sum"), try cli.shell("seq 1 100000 | sha256sum"))
    let dumpFailed = cli.run(["dump", "latest", "exits"])
    XCTAssertEqual(dumpFailed.status, 2, "a failed item cannot be dumped")
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
  }

  func testBrokenConfigNamesKeyAndLineAndRunsNothing() throws {
    let cli = try CLI()
    try cli.configure(sources: "    ok: { type: command, command: [echo, hi] }")
    try cli.initialize()
    let before = try cli.shell("find repo | sort")
    try cli.configure(sources: "    bad: { type: command, comand: [echo, hi] }")
    let result = cli.run(["backup"])
    XCTAssertEqual(result.status, 2)
    XCTAssertTrue(result.stderr.contains("sources.bad.comand"), result.stderr)
    XCTAssertTrue(result.stderr.contains("datamancy-backup.yml:5"), result.stderr)
    XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "one message: \(result.stderr)")
    XCTAssertEqual(try cli.shell("find repo | sort"), before)
  }

  /// An exclusive lock on the CLI's repository held by a live process of this host,
  /// as a running prune holds it.
  func holdPruneLock(_ cli: CLI) throws -> (Repository, RepositoryLock) {
    let repository = try Repository.open(storage: LocalStorage(root: cli.repository), password: cli.password)
    let lock = try RepositoryLock.acquire(
      repository, exclusive: true, command: "prune", clock: { Date() },
      host: ProcessInfo.processInfo.hostName,
      onLost: { _ in })
    return (repository, lock)
  }

  func testRepositoryErrorsHaveTheirOwnExitCodes() throws {
    let cli = try CLI()
    try cli.configure(sources: "    ok: { type: command, command: [echo, hi] }")
    XCTAssertEqual(cli.run(["snapshots"]).status, 10)
    try cli.initialize()
    XCTAssertEqual(cli.run(["init", "--kdf-cost", "1024"]).status, 2, "init refuses an existing repository")
    let wrong = cli.run(["snapshots"], environment: ["DATAMANCY_BACKUP_PASSWORD": "not-the-Pa55word"])
    XCTAssertEqual(wrong.status, 12)
    XCTAssertTrue(wrong.stderr.contains("wrong password"), wrong.stderr)
    XCTAssertFalse(wrong.stderr.contains("not-the-Pa55word"))
    let (_, lock) = try holdPruneLock(cli)
    let locked = cli.run(["backup"])
    XCTAssertEqual(locked.status, 11, locked.stderr)
    XCTAssertTrue(locked.stderr.contains("prune"), locked.stderr)
    lock.release()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
  }

  /// `backup` starts its first dumps while the key is derived; when the repository
  /// then cannot be used, those dumps are stopped, not left running.
  func testDumpsStartedBeforeARefusedRepositoryAreStopped() throws {
    let cli = try CLI()
    // A duration no other process uses, to find the dumps by their argv.
    let marker = "sleep 60.\(Int.random(in: 100_000...999_999))"
    try cli.configure(
      sources: """
          one: { type: command, command: [sh, -c, "\(marker)"] }
          two: { type: command, command: [sh, -c, "\(marker)"] }
        """, extra: "concurrency: 2")
    try cli.initialize()
    func assertStopped(_ result: CLI.Result, status: Int32, _ message: String) throws {
      XCTAssertEqual(result.status, status, result.stderr)
      XCTAssertTrue(result.stderr.contains(message), result.stderr)
      XCTAssertEqual(
        try cli.shell("pgrep -f '^(sh -c )?\(marker)$' || [ $? -eq 1 ]"), "", "a dump was left running")
    }
    try assertStopped(
      cli.run(["backup"], environment: ["DATAMANCY_BACKUP_PASSWORD": "not-the-Pa55word"]), status: 12,
      "wrong password")
    let (repository, lock) = try holdPruneLock(cli)
    defer { lock.release() }
    try assertStopped(cli.run(["backup"]), status: 11, "prune")
    XCTAssertEqual(try repository.sets().count, 0)
  }

  func testPasswordNeverInArgvOrLogs() throws {
    let cli = try CLI()
    try cli.shell("printf '%s\\n' '\(cli.password)' > pw && chmod 600 pw")
    // The source waits for the file `go` (polled every 50 ms): the test touches it
    // once it has seen what it waits for, however slow the machine.
    try cli.configure(
      sources:
        "    slow: { type: command, command: [sh, -c, \"touch started; while [ ! -e go ]; do sleep 0.05; done; seq 1 1000\"] }",
      extra: "  password: { file: \(cli.folder)/pw }")
    cli.environment["DATAMANCY_BACKUP_PASSWORD"] = nil
    try cli.initialize()
    let process = cli.start(["backup", "--verbose"])
    // Every process's argv, read while the backup and its source run.
    try cli.waitFor("the source to start") { FileManager.default.fileExists(atPath: cli.folder + "/started") }
    let everyArgv = try cli.shell("cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '; true")
    try cli.shell("touch go")
    process.waitUntilExit()
    let stderr = String(
      decoding: (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    XCTAssertEqual(process.terminationStatus, 0, stderr)
    XCTAssertTrue(everyArgv.contains("touch started"), "the scan saw the running backup")
    XCTAssertFalse(everyArgv.contains(cli.password))
    XCTAssertFalse(stderr.contains(cli.password))
    XCTAssertEqual(
      try cli.shell("grep -rlF '\(cli.password)' repo || [ $? -eq 1 ]"), "", "never stored in the clear")
  }

  func testCorruptedPackIsNamedAndNothingIsRestored() throws {
    let cli = try CLI()
    try cli.configure(sources: "    data: { type: command, command: [sh, -c, \"seq 1 400000\"] }")
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let pack = try cli.shell("cd repo && find data -type f | head -1")
    try cli.flipByte("repo/\(pack)", at: 100)
    let check = cli.run(["check", "--read-data"])
    XCTAssertEqual(check.status, 4)
    XCTAssertTrue(check.text.contains(pack), check.text)
    let restore = cli.run(["restore", "latest", "--to", cli.folder + "/out"])
    XCTAssertEqual(restore.status, 4, restore.stderr)
    XCTAssertTrue(restore.stderr.contains(pack), restore.stderr)
    XCTAssertEqual(try cli.shell("find out -type f | wc -l"), "0", "no file left behind")
  }
}
