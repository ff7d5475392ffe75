import Foundation
import XCTest

/// The restore wizard, driven through a pseudo-terminal (`Tests/Support/pty_drive.py`):
/// choose a set and an item, restore into a new database, confirm; and cancel at
/// the confirmation, which changes nothing.
final class RestoreWizardTests: XCTestCase {
  var cli: CLI!
  var servers: Servers!
  static let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Support/pty_drive.py").path

  override func setUpWithError() throws {
    cli = try CLI()
    servers = Servers(cli: cli)
    addTeardownBlock { [servers] in servers?.stopAll() }
    let server = try servers.startPostgres()
    try cli.shell(
      "createdb shop && psql -q -d shop -c 'create table t(id int); insert into t select generate_series(1, 100)'"
    )
    try cli.configure(
      sources:
        "    postgres: { type: postgres, socket: \(server.dir), port: \(server.port), user: postgres, databases: [shop] }"
    )
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    try cli.shell("psql -q -d shop -c 'insert into t select generate_series(101, 150)'")
    XCTAssertEqual(cli.run(["backup"]).status, 0)
  }

  /// Runs `restore` alone on a terminal with these prompts and answers.
  func wizard(_ dialogue: [(String, String)]) throws -> (status: Int32, output: String) {
    let json = String(
      decoding: try JSONSerialization.data(withJSONObject: dialogue.map { [$0.0, $0.1] }), as: UTF8.self)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", Self.driver, json, CLI.binary, "restore"]
    process.currentDirectoryURL = URL(fileURLWithPath: cli.folder)
    process.environment = cli.environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  func count(_ database: String) throws -> String {
    try cli.shell("psql -AtX -c \"select count(*) from pg_database where datname = '\(database)'\"")
  }

  func testChooseTheOlderSetAndRestoreIntoANewDatabase() throws {
    let (status, output) = try wizard([
      ("Set [1]:", "2"),
      ("Items to restore (numbers, or 'all') [all]:", "1"),
      ("Where should postgres/shop go [1]:", "1"),
      ("Name of the new database [shop_restored]:", "shop_wizard"),
      ("Proceed? [y/N]:", "y"),
    ])
    XCTAssertEqual(status, 0, output)
    XCTAssertTrue(output.contains("postgres/shop → database shop_wizard on postgres"), output)
    // The older set: the rows before the second backup.
    XCTAssertEqual(try cli.shell("psql -AtX -d shop_wizard -c 'select count(*) from t'"), "100")
  }

  func testCancelAtTheConfirmationChangesNothing() throws {
    let before = try cli.sets().count
    let (status, output) = try wizard([
      ("Set [1]:", ""),
      ("Items to restore (numbers, or 'all') [all]:", "1"),
      ("Where should postgres/shop go [1]:", "2"),
      ("shop holds 1 table. Replace it", "y"),
      ("Proceed? [y/N]:", "n"),
    ])
    XCTAssertEqual(status, 0, output)
    XCTAssertTrue(output.contains("postgres/shop → database shop on postgres (replacing it)"), output)
    XCTAssertTrue(output.contains("Nothing was restored."), output)
    XCTAssertEqual(try cli.shell("psql -AtX -d shop -c 'select count(*) from t'"), "150")
    XCTAssertEqual(try cli.sets().count, before, "no pre-restore set was made")
  }

  func testWithoutATerminalRestoreNeedsASet() {
    let result = cli.run(["restore"])
    XCTAssertEqual(result.status, 2)
    XCTAssertTrue(result.stderr.contains("run 'restore' alone on a terminal for the wizard"), result.stderr)
  }
}
