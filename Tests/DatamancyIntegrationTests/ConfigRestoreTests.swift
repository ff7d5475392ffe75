import Foundation
import XCTest

/// Every set carries the configuration it ran with; `config restore` writes it
/// back when the host is lost, with nothing but the repository and its password.
final class ConfigRestoreTests: XCTestCase {
  func testTheConfigurationComesBackFromTheRepositoryAlone() throws {
    let cli = try CLI()
    try FileManager.default.createDirectory(atPath: cli.folder + "/vol", withIntermediateDirectories: true)
    try cli.randomFile("vol/a.bin", count: 4096)
    try cli.configure(
      sources: "    vol: { type: files, paths: [\(cli.folder)/vol] }",
      extra: "serve: { metrics_token: { env: METRICS_TOKEN_FOR_TEST } }")
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let original = try String(contentsOfFile: cli.folder + "/datamancy-backup.yml", encoding: .utf8)
    // The host is lost: the configuration is gone; the repository and its password are left.
    try FileManager.default.removeItem(atPath: cli.folder + "/datamancy-backup.yml")
    let restore = cli.run(["config", "restore", "--repo", cli.repository, "--to", "restored.yml"])
    XCTAssertEqual(restore.status, 0, restore.stderr)
    XCTAssertEqual(try String(contentsOfFile: cli.folder + "/restored.yml", encoding: .utf8), original)
    XCTAssertEqual(try cli.shell("stat -c %a restored.yml"), "600")
    XCTAssertTrue(restore.text.contains("vol (files)"), restore.text)
    XCTAssertTrue(
      restore.text.contains("serve.metrics_token: ") && restore.text.contains("METRICS_TOKEN_FOR_TEST"),
      "the missing secret is named: \(restore.text)")
    // A set that does not exist is named as such; nothing is written.
    let missing = cli.run([
      "config", "restore", "--repo", cli.repository, "--set", "0000dead", "--to", "x.yml",
    ])
    XCTAssertNotEqual(missing.status, 0)
    XCTAssertTrue(missing.stderr.contains("0000dead"), missing.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: cli.folder + "/x.yml"))
    // A place that cannot be written: one sentence naming it, exit 1.
    let nowhere = cli.run(["config", "restore", "--repo", cli.repository, "--to", "no/such/folder/c.yml"])
    XCTAssertEqual(nowhere.status, 1, nowhere.stderr)
    XCTAssertEqual(
      nowhere.stderr.components(separatedBy: "no/such/folder/c.yml").count, 2, "named once: \(nowhere.stderr)"
    )
    // Never over an existing file without --force; with it, replaced.
    try "other".write(toFile: cli.folder + "/restored.yml", atomically: true, encoding: .utf8)
    let again = cli.run(["config", "restore", "--repo", cli.repository, "--to", "restored.yml"])
    XCTAssertEqual(again.status, 2, again.stderr)
    XCTAssertTrue(again.stderr.contains("--force"), again.stderr)
    XCTAssertEqual(try String(contentsOfFile: cli.folder + "/restored.yml", encoding: .utf8), "other")
    let forced = cli.run(
      ["config", "restore", "--repo", cli.repository, "--to", "restored.yml", "--force", "--json"],
      environment: ["METRICS_TOKEN_FOR_TEST": "set"])
    XCTAssertEqual(forced.status, 0, forced.stderr)
    let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: forced.stdout) as? [String: Any])
    XCTAssertEqual(report["missingSecrets"] as? [String], [], "the secret is set now")
    XCTAssertEqual(try String(contentsOfFile: cli.folder + "/restored.yml", encoding: .utf8), original)
    // The restored file runs the next backup as before.
    try FileManager.default.moveItem(
      atPath: cli.folder + "/restored.yml", toPath: cli.folder + "/datamancy-backup.yml")
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    // A copy keeps it.
    XCTAssertEqual(cli.run(["init", "--kdf-cost", "1024", "--repo", cli.folder + "/other"]).status, 0)
    let copy = cli.run(["copy", "--to", cli.folder + "/other"])
    XCTAssertEqual(copy.status, 0, copy.stderr)
    let fromCopy = cli.run(["config", "restore", "--repo", cli.folder + "/other", "--to", "from-copy.yml"])
    XCTAssertEqual(fromCopy.status, 0, fromCopy.stderr)
    XCTAssertEqual(try String(contentsOfFile: cli.folder + "/from-copy.yml", encoding: .utf8), original)
  }
}
