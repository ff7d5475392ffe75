import ArgumentParser
import DatamancyCLI
import DatamancyConfig
import DatamancyOperations
import XCTest

/// Every command line that the schedule, the dashboard and `restore_command`
/// build for this binary parses, with the binary's own parser, into the
/// intended command with each value on the intended option — names that begin
/// with `-` or hold spaces included.
final class JobCommandTests: XCTestCase {
  /// The parsed command's name and the description of each of its options'
  /// values, by property name.
  func parsed(_ arguments: [String]) throws -> (name: String, fields: [String: String]) {
    let command = try DatamancyBackup.parse(commandLine: arguments)
    var fields: [String: String] = [:]
    for child in Mirror(reflecting: command).children {
      guard let label = child.label else { continue }
      fields[label.hasPrefix("_") ? String(label.dropFirst()) : label] = String(describing: child.value)
    }
    return (type(of: command)._commandName, fields)
  }

  func testEveryJobParsesIntoTheIntendedCommand() throws {
    let set = String(repeating: "ab", count: 32)
    // (command, subcommand, each option's property and the value it must hold)
    let table: [(JobCommand, String, [(String, String)])] = [
      (.backup(source: nil), "backup", [("sources", "[]")]),
      (.backup(source: "-pg main"), "backup", [("sources", #"["-pg main"]"#)]),
      (.verifyAll, "verify", [("all", "true")]),
      (.drill, "drill", []),
      (.prune, "prune", [("dryRun", "false")]),
      (
        .restoreIntoDatabase(set: set, item: "--force", database: "copy_1"), "restore",
        [
          ("set", "Optional(\"\(set)\")"), ("item", #"["--force"]"#), ("targetDB", #"Optional("copy_1")"#),
          ("yes", "true"),
        ]
      ),
      (
        .restoreIntoFolder(set: set, item: "-x", folder: "/srv/scratch/a b"), "restore",
        [("item", #"["-x"]"#), ("to", #"Optional("/srv/scratch/a b")"#), ("original", "false")]
      ),
      (
        .restoreOverOriginal(set: set, item: "app"), "restore",
        [("item", #"["app"]"#), ("original", "true"), ("force", "true")]
      ),
      (
        .walFetch(config: "/etc/datamancy/a b.yaml", source: "-pg"), "wal-fetch",
        [("source", "-pg")]
      ),
      (
        .walPush(config: "/etc/datamancy/a b.yaml", source: "-pg"), "wal-push",
        [("source", "-pg")]
      ),
    ]
    for (command, name, expected) in table {
      // wal-fetch's %f %p and wal-push's %p, as PostgreSQL fills them in.
      let extra =
        command.kind == "wal-fetch"
        ? ["000000010000000000000001", "pg_wal/RECOVERYXLOG"]
        : command.kind == "wal-push" ? ["pg_wal/000000010000000000000001"] : []
      let (parsedName, fields) = try parsed(command.arguments + extra)
      XCTAssertEqual(parsedName, name, "\(command)")
      for (field, value) in expected {
        let described = try XCTUnwrap(
          fields[field], "\(command): no option \(field) in \(fields.keys.sorted())")
        XCTAssertEqual(described, value, "\(command): \(field)")
      }
    }
    // The scheduled jobs add --quiet and the configuration (`ScheduledJob.argv`).
    for job in ScheduledJob.all(ScheduleSettings()) {
      let argv = ScheduledJob.argv(binary: "datamancy-backup", config: "/etc/d.yaml", job.arguments)
      XCTAssertEqual(try parsed(Array(argv.dropFirst())).name, job.command.arguments[0], job.name)
    }
  }

  /// PostgreSQL runs restore_command through a shell: each word quoted, `%f %p`
  /// left for it to fill in.
  func testRestoreCommandQuotesEachWordForTheShell() throws {
    let command = JobCommand.restoreCommand(
      binary: "/opt/data mancy/datamancy-backup", config: "/etc/it's.yaml", source: "pg")
    let words = try XCTUnwrap(
      String(
        data: try shell(
          "for word in \(command.replacingOccurrences(of: "%f %p", with: "F P")); do echo \"$word\"; done"),
        encoding: .utf8))
    XCTAssertEqual(
      words.split(separator: "\n").map(String.init),
      ["/opt/data mancy/datamancy-backup", "wal-fetch", "--config=/etc/it's.yaml", "--source=pg", "F", "P"])
    let archive = JobCommand.archiveCommand(
      binary: "/opt/data mancy/datamancy-backup", config: "/etc/it's.yaml", source: "pg")
    let pushed = try XCTUnwrap(
      String(
        data: try shell(
          "for word in \(archive.replacingOccurrences(of: "%p", with: "P")); do echo \"$word\"; done"),
        encoding: .utf8))
    XCTAssertEqual(
      pushed.split(separator: "\n").map(String.init),
      ["/opt/data mancy/datamancy-backup", "wal-push", "--config=/etc/it's.yaml", "--source=pg", "P"])
  }

  func shell(_ script: String) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0)
    return data
  }

  /// A bad combination or spelling of flags fails in the parser, before a
  /// repository is opened or a prompt shown.
  func testBadFlagsAreRefusedBeforeRunning() throws {
    let refused: [([String], String)] = [
      (["restore", "latest", "--to", "out", "--overwrite", "sometimes"], "sometimes"),
      (["restore", "latest", "--target-db", "copy"], "--target-db loads one item"),
      (["restore", "--source", "pg", "--to-time", "yesterday", "--to", "x"], "is not a time"),
      (["restore", "--source", "pg", "--to-lsn", "3000158", "--to", "x"], "is not a WAL position"),
      (["restore", "--source", "pg", "--to-time", "latest", "--to-lsn", "0/1", "--to", "x"], "one of them"),
      (["restore", "latest", "--source", "pg", "--to-time", "latest", "--to", "x"], "no set or --item"),
      (["restore", "--to-time", "latest", "--to", "x"], "takes --source NAME"),
      (["backup", "--time", "yesterday"], "--time: expected an ISO 8601 time"),
      (["prune", "--repack-below", "150%"], "--repack-below: expected a percentage"),
      (["forget", "abcd1234", "--keep-latest", "2"], "takes no --keep-* or --prune"),
      (["forget", "--keep-within", "soon"], "--keep-within: expected a duration"),
      (["serve", "--listen", "9469"], "--listen: expected HOST:PORT"),
    ]
    for (arguments, message) in refused {
      XCTAssertThrowsError(try DatamancyBackup.parse(commandLine: arguments), "\(arguments)") { error in
        let text = DatamancyBackup.fullMessage(for: error)
        XCTAssertTrue(text.contains(message), "\(arguments): \(text)")
      }
    }
    let accepted = [
      ["restore", "latest", "--to", "out", "--overwrite", "if-changed"],
      ["restore", "latest", "--item", "pg/app", "--target-db", "copy"],
      ["restore", "--source", "pg", "--to-time", "2026-12-01T16:59:00Z", "--to", "x", "--dry-run"],
      ["restore", "--source", "pg", "--to-lsn", "0/3000158", "--to", "x"],
      ["backup", "--time", "2026-01-31T02:00:00Z"],
      ["prune", "--repack-below", "30%"],
      ["forget", "--keep-within", "7d", "--prune"],
      ["serve", "--listen", "[::1]:9469"],
    ]
    for arguments in accepted {
      XCTAssertNoThrow(try DatamancyBackup.parse(commandLine: arguments), "\(arguments)")
    }
  }
}
