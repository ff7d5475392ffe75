import Foundation
import XCTest

/// A new operator's first hour, following the README: each trap found that way,
/// checked through the binary.
final class OperatorTrapTests: XCTestCase {
  func twoSources() throws -> CLI {
    let cli = try CLI()
    try cli.configure(
      sources: """
            app: { type: command, command: [seq, 1, 5000] }
            other: { type: command, command: [seq, 1, 100] }
        """)
    try cli.initialize()
    return cli
  }

  func testLatestWithAnItemIsTheNewestSetHoldingIt() throws {
    let cli = try twoSources()
    XCTAssertEqual(cli.run(["backup", "--source", "app"]).status, 0)
    XCTAssertEqual(cli.run(["backup", "--source", "other"]).status, 0)
    let restore = cli.run(["restore", "latest", "--item", "app", "--to", "out"])
    XCTAssertEqual(restore.status, 0, restore.stderr)
    XCTAssertEqual(try cli.shell("cat out/app | wc -l"), "5000")
    let dump = cli.run(["dump", "latest", "app"])
    XCTAssertEqual(dump.status, 0, dump.stderr)
    XCTAssertEqual(dump.text.split(separator: "\n").count, 5000)
    let none = cli.run(["restore", "latest", "--item", "nope", "--to", "out2"])
    XCTAssertNotEqual(none.status, 0)
    XCTAssertTrue(none.stderr.contains("nope"), none.stderr)
  }

  func testSnapshotsShowsOneSetsItemsAndFilters() throws {
    let cli = try twoSources()
    XCTAssertEqual(cli.run(["backup", "--source", "app", "--tag", "weekly"]).status, 0)
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let sets = try cli.sets()
    let first = String((sets[0]["id"] as! String).prefix(8))
    let one = cli.run(["snapshots", first])
    XCTAssertEqual(one.status, 0, one.stderr)
    XCTAssertTrue(one.text.contains("tags: weekly"), one.text)
    XCTAssertTrue(one.text.contains("ok  app"), one.text)
    XCTAssertFalse(one.text.contains("other"), one.text)
    let tagged = try CLI.setList(cli.run(["snapshots", "--json", "--tag", "weekly"]).stdout)
    XCTAssertEqual(tagged.map { $0["id"] as! String }, [sets[0]["id"] as! String])
    XCTAssertEqual(try CLI.setList(cli.run(["snapshots", "--json", "--item", "other"]).stdout).count, 1)
    XCTAssertEqual(try CLI.setList(cli.run(["snapshots", "--json", "--host", "elsewhere"]).stdout).count, 0)
    let text = cli.run(["snapshots", "--item", "other"]).text
    XCTAssertTrue(text.hasSuffix("1 set of 2\n"), text)
  }

  func testGlobalOptionsBeforeTheSubcommandAndVersion() throws {
    let cli = try twoSources()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    try cli.shell("mv datamancy-backup.yml elsewhere.yml")
    for arguments in [
      ["--config", "elsewhere.yml", "snapshots", "--json"], ["-c", "elsewhere.yml", "snapshots", "--json"],
      ["-r", cli.repository, "--json", "snapshots"], ["snapshots", "-r", cli.repository, "--json"],
    ] {
      let result = cli.run(arguments)
      XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
      XCTAssertEqual(try CLI.setList(result.stdout).count, 1, "\(arguments)")
    }
    let variable = cli.run(
      ["snapshots", "--json"], environment: ["DATAMANCY_BACKUP_REPOSITORY": cli.repository])
    XCTAssertEqual(try CLI.setList(variable.stdout).count, 1, variable.stderr)
    let nothing = cli.run(["snapshots"])
    XCTAssertEqual(nothing.status, 2)
    XCTAssertTrue(nothing.stderr.contains("no configuration file was found"), nothing.stderr)
    for arguments in [["--version"], ["version"]] {
      let version = cli.run(arguments)
      XCTAssertEqual(version.status, 0)
      XCTAssertTrue(version.text.hasPrefix("datamancy-backup "), version.text)
    }
    XCTAssertEqual(
      try cli.shell("cd \(cli.folder) && \(CLI.binary) -c elsewhere.yml dump latest app | head -1"), "1")
  }

  func testEmptyPasswordsAreRefusedAndCRLFIsALineEnd() throws {
    let cli = try CLI()
    func password(_ reference: String?) throws {
      try cli.configure(
        sources: "    app: { type: command, command: [seq, 1, 10] }",
        extra: reference.map { "  password: \($0)" } ?? "")
    }
    try password(nil)
    let empty = cli.run(["init", "--kdf-cost", "1024"], environment: ["DATAMANCY_BACKUP_PASSWORD": ""])
    XCTAssertEqual(empty.status, 2, empty.stderr)
    XCTAssertTrue(empty.stderr.contains("an empty password is not a password"), empty.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: cli.repository + "/config"))

    try cli.shell("printf '%s\\r\\n' '\(cli.password)' > pw && chmod 600 pw && : > empty && chmod 600 empty")
    try password("{ file: \(cli.folder)/pw }")
    cli.environment["DATAMANCY_BACKUP_PASSWORD"] = nil
    try cli.initialize()
    // The CRLF file and the plain variable are the same password.
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    try password(nil)
    cli.environment["DATAMANCY_BACKUP_PASSWORD"] = cli.password
    XCTAssertEqual(try cli.sets().count, 1)

    for command in [["key", "add"], ["key", "passwd"]] {
      let refused = cli.run(command, environment: ["DATAMANCY_BACKUP_NEW_PASSWORD": ""])
      XCTAssertEqual(refused.status, 2, refused.stderr)
      XCTAssertTrue(refused.stderr.contains("an empty password is not a password"), refused.stderr)
    }
    cli.environment["DATAMANCY_BACKUP_PASSWORD"] = nil
    try password("{ file: \(cli.folder)/empty }")
    let emptyFile = cli.run(["snapshots"])
    XCTAssertEqual(emptyFile.status, 2, emptyFile.stderr)
    XCTAssertTrue(emptyFile.stderr.contains("an empty password is not a password"), emptyFile.stderr)
    try password("{ env: REPO_PW }")
    let unset = cli.run(["snapshots"])
    XCTAssertTrue(unset.stderr.contains("REPO_PW is not set"), unset.stderr)
    let setEmpty = cli.run(["snapshots"], environment: ["REPO_PW": ""])
    XCTAssertTrue(setEmpty.stderr.contains("REPO_PW is set but empty"), setEmpty.stderr)
  }

  func testAHugeRPOIsAConfigurationErrorNotACrash() throws {
    let cli = try CLI()
    try cli.configure(sources: "    app: { type: command, command: [seq, 1, 10], rpo: 9223372036854775807s }")
    let status = cli.run(["status"])
    XCTAssertEqual(status.status, 2, status.stderr)
    XCTAssertFalse(status.signaled)
    XCTAssertTrue(status.stderr.contains("sources.app.rpo"), status.stderr)
    let line = try cli.shell("grep -n 'rpo:' datamancy-backup.yml | cut -d: -f1")
    XCTAssertTrue(
      status.stderr.contains("datamancy-backup.yml:\(line): "), "names the line: \(status.stderr)")
  }

  /// As a user who may not read everything: what can be read is stored, each
  /// unreadable path is named, and the set is partial (exit 3), as restic does.
  func testUnreadableFilesAreNamedAndTheRestIsStored() throws {
    let cli = try CLI()
    try cli.configure(sources: "    vol: { type: files, paths: [\(cli.folder)/vol] }")
    try cli.initialize()
    try cli.shell(
      """
      set -e
      mkdir -p vol/sub vol/closed
      seq 1 1000 > vol/a.txt; echo b > vol/sub/b.txt; echo secret > vol/secret.key; echo x > vol/closed/x
      chmod 000 vol/secret.key vol/closed
      chown -R nobody \(cli.folder)
      """)
    let run = try cli.shell(
      "cd \(cli.folder) && runuser -u nobody -- \(CLI.binary) backup > out.txt 2> err.txt; echo $?")
    let output = try cli.shell("cat out.txt err.txt")
    XCTAssertEqual(run, "3", output)
    XCTAssertTrue(output.contains("2 paths could not be read and were left out"), output)
    XCTAssertTrue(output.contains("\(cli.folder)/vol/secret.key"), output)
    XCTAssertTrue(output.contains("\(cli.folder)/vol/closed"), output)
    XCTAssertEqual(output.components(separatedBy: "secret.key").count - 1, 1, "said once: \(output)")
    let set = try XCTUnwrap(try cli.sets().last)
    XCTAssertEqual(set["status"] as? String, "partial")
    let restore = cli.run(["restore", "latest", "--to", cli.folder + "/out"])
    XCTAssertEqual(restore.status, 0, restore.stderr)
    XCTAssertEqual(try cli.shell("cat out/vol/vol/a.txt | wc -l"), "1000")
    XCTAssertEqual(try cli.shell("cat out/vol/vol/sub/b.txt"), "b")
    XCTAssertFalse(FileManager.default.fileExists(atPath: cli.folder + "/out/vol/vol/secret.key"))
  }

  func testASetWhoseEveryItemFailedIsFailedAndAMissingPasswordIsSaidOnce() throws {
    let cli = try CLI()
    try cli.configure(
      sources: """
            broken: { type: command, command: [sh, -c, "exit 4"] }
            db: { type: postgres, host: 127.0.0.1, databases: [a, b, c], password: { env: DB_PW } }
        """)
    try cli.initialize()
    let missing = cli.run(["backup"])
    XCTAssertEqual(missing.status, 2, missing.stderr)
    XCTAssertEqual(missing.stderr.components(separatedBy: "DB_PW").count - 1, 1, missing.stderr)
    XCTAssertTrue(missing.stderr.contains("nothing was backed up: sources.db.password"), missing.stderr)
    XCTAssertEqual(try cli.sets().count, 0)

    let failed = cli.run(["backup", "--source", "broken"])
    XCTAssertEqual(failed.status, 1, failed.text + failed.stderr)
    XCTAssertEqual(try cli.sets().last?["status"] as? String, "failed")
    let all = failed.text + failed.stderr
    XCTAssertEqual(all.components(separatedBy: "status 4").count - 1, 1, "each failure printed once: \(all)")
  }

  func testStatsShowsWhatDedupAndCompressionSave() throws {
    let cli = try twoSources()
    for _ in 1...3 { XCTAssertEqual(cli.run(["backup"]).status, 0) }
    let result = cli.run(["stats", "--json"])
    XCTAssertEqual(result.status, 0, result.stderr)
    let stats = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], result.text)
    XCTAssertEqual(stats["sets"] as? Int, 3)
    let dedup = try XCTUnwrap(stats["dedupRatio"] as? Double)
    XCTAssertEqual(dedup, 3, accuracy: 0.01, "three identical copies")
    XCTAssertGreaterThan(try XCTUnwrap(stats["compressionRatio"] as? Double), 2, "seq's digits compress")
    let packBytes = Int(
      try cli.shell("find repo/data -type f -printf '%s\\n' | awk '{ s += $1 } END { print s }'"))
    XCTAssertEqual(stats["storedBytes"] as? Int, packBytes)
    let items = try XCTUnwrap(stats["items"] as? [[String: Any]])
    XCTAssertEqual(items.map { $0["item"] as? String }, ["app", "other"])
    XCTAssertEqual(items[0]["copies"] as? Int, 3)
    XCTAssertEqual(items[0]["latestRawBytes"] as? Int, Int(try cli.shell("seq 1 5000 | wc -c")))
    let text = cli.run(["stats"]).text
    XCTAssertTrue(text.contains("dedup 3.0x"), text)
  }

  /// On a terminal (`script` gives one), a folder's backup shows its total,
  /// percentage, time left, the item and the file it reads.
  func testTheProgressLineShowsTotalPercentageAndTheItem() throws {
    let cli = try CLI()
    try cli.configure(sources: "    vol: { type: files, paths: [\(cli.folder)/vol] }")
    try cli.initialize()
    try cli.shell("mkdir vol")
    // Large enough that reading it (a file is read at disk speed, not through a
    // pipe) spans several of the progress line's quarter-second ticks.
    try cli.randomFile("vol/big.bin", count: 1536 << 20)
    let output = try cli.shell(
      "script -qec 'stty cols 200; \(CLI.binary) backup --source vol' /dev/null | tr '\\r' '\\n' | grep -a 'backing up' | sed -n 1,3p"
    )
    let lines = output.split(separator: "\n")
    XCTAssertFalse(lines.isEmpty, "no progress line drawn")
    for line in lines {
      XCTAssertNotNil(
        line.range(of: #"of 1\.5 GiB \(1 file\)\s+\d+%"#, options: .regularExpression), "\(line)")
      XCTAssertTrue(line.contains("vol/vol: \(cli.folder)/vol/big.bin"), "the item and its file: \(line)")
    }
    // Before the end, the time left.
    XCTAssertNotNil(
      lines.first?.range(of: #"\d+%\s+ETA \d"#, options: .regularExpression), "\(lines.first ?? "")")
  }

  func testAConfigurationThatCannotBeReadSaysWhy() throws {
    let cli = try CLI()
    try cli.configure(sources: "    app: { type: command, command: [seq, 1, 10] }")
    try cli.shell("chmod 600 datamancy-backup.yml && chmod 755 \(cli.folder) && mkdir folder.yml")
    let denied = try cli.shell(
      "cd / && runuser -u nobody -- \(CLI.binary) snapshots --config \(cli.folder)/datamancy-backup.yml 2>&1; echo \"exit $?\""
    )
    XCTAssertTrue(denied.contains("cannot read the configuration file: Permission denied"), denied)
    XCTAssertTrue(denied.hasSuffix("exit 2"), denied)
    let folder = cli.run(["snapshots", "--config", "folder.yml"])
    XCTAssertEqual(folder.status, 2)
    XCTAssertTrue(folder.stderr.contains("is a folder"), folder.stderr)
    let missing = cli.run(["snapshots", "-c", "nope.yml"])
    XCTAssertEqual(missing.status, 2)
    XCTAssertTrue(missing.stderr.contains("nope.yml: the configuration file does not exist"), missing.stderr)
  }

  /// `serve --schedule` runs the jobs with its own environment: one that lacks a
  /// secret the configuration reads is refused before anything is served.
  func testServeScheduleRefusesWithoutTheSecretsItsJobsNeed() throws {
    let cli = try CLI()
    try cli.configure(
      sources: "    db: { type: postgres, host: 127.0.0.1, databases: [a], password: { env: DB_PW } }")
    try cli.initialize()
    let result = cli.run(["serve", "--schedule", "--listen", "127.0.0.1:\(Servers.freePort())"], timeout: 30)
    XCTAssertFalse(result.timedOut, "it served instead of refusing")
    XCTAssertEqual(result.status, 2, result.stderr)
    XCTAssertTrue(result.stderr.contains("sources.db.password"), result.stderr)
    XCTAssertTrue(result.stderr.contains("DB_PW is not set"), result.stderr)
  }

  func testDumpRefusesATerminalAndEndsQuietlyOnAClosedPipe() throws {
    let cli = try CLI()
    try cli.configure(sources: "    big: { type: command, command: [seq, 1, 3000000] }")
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let terminal = try cli.shell("script -qec '\(CLI.binary) dump latest big; echo \"exit $?\"' /dev/null")
    XCTAssertTrue(terminal.contains("standard output is a terminal"), terminal)
    XCTAssertTrue(terminal.contains("exit 2"), terminal)
    // 20 MB into a reader that takes one line: the dump ends at once, quietly, with success.
    let piped = try cli.shell(
      "\(CLI.binary) dump latest big 2> err.txt | head -1; echo \"${PIPESTATUS[0]}\"; cat err.txt")
    XCTAssertEqual(piped, "1\n0")
  }

  func testTheExitCodesAreInTheRootHelpOnceAndColoursObeyNoColor() throws {
    let cli = try twoSources()
    let root = cli.run(["--help"]).text
    XCTAssertEqual(root.components(separatedBy: "130  interrupted").count - 1, 1, root)
    XCTAssertTrue(root.split(separator: "\n").allSatisfy { $0.count <= 80 }, "no line wrapped: \(root)")
    let backup = cli.run(["backup", "--help"]).text
    XCTAssertFalse(backup.contains("130"), backup)
    XCTAssertTrue(backup.contains("Exit codes: see 'datamancy-backup --help'"), backup)
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    // The test runner may set NO_COLOR for its children; this run is without it.
    let coloured = try cli.shell("env -u NO_COLOR script -qec '\(CLI.binary) status; true' /dev/null")
    XCTAssertTrue(coloured.contains("\u{1B}["), "colours on a terminal: \(coloured.debugDescription)")
    let plain = try cli.shell("NO_COLOR=1 script -qec '\(CLI.binary) status; true' /dev/null")
    XCTAssertFalse(plain.contains("\u{1B}["), "none with NO_COLOR: \(plain)")
  }
}
