import DatamancyConfig
import Foundation
import XCTest

/// Mistakes an operator makes in a first configuration: each is refused when the
/// file is read, naming the line, quoting no secret.
final class ConfigMistakeTests: XCTestCase {
  func testDurationsOutOfRangeAreRefusedWithKeyAndLine() throws {
    let huge = try XCTUnwrap(
      refusal(
        """
        repository: { path: /r }
        sources:
          a: { type: command, command: ["true"], rpo: 9223372036854775807s }
        """))
    XCTAssertEqual(huge.line, 3)
    XCTAssertEqual(huge.key, "sources.a.rpo")
    XCTAssertTrue(huge.message.contains("100 years"), huge.message)
    XCTAssertNotNil(refusal("drill: { rto: infh }"))
    XCTAssertNotNil(refusal("drill: { cluster: sometimes }"))
    XCTAssertNotNil(refusal("verify: { max_age: 101000000000s }"))
    XCTAssertEqual(
      try BackupConfig.parse("verify: { max_age: 5200w }", file: "t").verifyMaxAge, 5200 * 7 * 86400)
  }

  func testADuplicateKeyNamesItsLineAndQuotesNoSecret() throws {
    let text = """
      repository:
        path: /r
      notify:
        - webhook: { url: "https://hooks.example/services/T0KEN-SECRET" }
      sources:
        db: { type: command, command: ["true"] }
        db: { type: command, command: ["false"] }
      """
    let error = try XCTUnwrap(refusal(text))
    XCTAssertEqual(error.line, 7)
    XCTAssertTrue(error.message.contains("'db' appears twice"), error.message)
    XCTAssertTrue(error.message.contains("first on line 6"), error.message)
    XCTAssertFalse(error.description.contains("T0KEN"), error.description)
    XCTAssertFalse(error.description.contains("\n"), "one line: \(error.description)")
  }

  func testASyntaxErrorQuotesOnlyItsLineScrubbed() throws {
    let error = try XCTUnwrap(
      refusal(
        """
        repository: { path: /r }
        notify: { webhook: { url: "https://hooks.example/T0KEN-SECRET" }
        sources: { a: [ }
        """))
    XCTAssertNotNil(error.line)
    XCTAssertTrue(error.message.hasPrefix("not valid YAML"), error.message)
    XCTAssertFalse(error.description.contains("T0KEN"), error.description)
    XCTAssertFalse(error.description.contains("\n"), error.description)
  }

  func testNullIsNotAPath() throws {
    let error = try XCTUnwrap(refusal("repository:\n  path: ~\n"))
    XCTAssertEqual(error.key, "repository.path")
    XCTAssertEqual(error.line, 2)
    XCTAssertNotNil(refusal("repository: { path: null }"))
    XCTAssertEqual(try BackupConfig.parse("repository: { path: \"~\" }", file: "t").repository.path, "~")
  }

  func testCalendarExpressionsAreCheckedWhenRead() throws {
    let error = try XCTUnwrap(refusal("schedule:\n  backup: every tuesday maybe\n"))
    XCTAssertEqual(error.key, "schedule.backup")
    XCTAssertEqual(error.line, 2)
    XCTAssertNotNil(refusal("schedule: { verify: \"Tues *-*-* 02:00\" }"))
    XCTAssertNotNil(refusal("schedule: { drill: \"*-*-* 25:00\" }"))
    for good in ["daily", "Mon..Fri *-*-* 02:30 UTC", "Tuesday *-*-* 04:00:00", "*-*-01..07 06:00:00"] {
      XCTAssertEqual(
        try BackupConfig.parse("schedule: { backup: \"\(good)\" }", file: "t").schedule.backup, good)
    }
  }

  func testPostgresqlIsATypeName() throws {
    let config = try BackupConfig.parse(
      "sources: { db: { type: postgresql, host: 127.0.0.1, databases: [shop] } }", file: "t")
    XCTAssertEqual(config.sources[0].type, "postgres")
    XCTAssertNotNil(config.sources[0].settings(as: PostgresSettings.self))
  }

  func testFilesThatCannotBeReadSayWhy() throws {
    let folder = NSTemporaryDirectory() + "config-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    func message(_ path: String) -> String {
      do {
        _ = try BackupConfig.load(path: path)
        return "loaded"
      } catch {
        return "\(error)"
      }
    }
    XCTAssertTrue(message(folder + "/missing.yml").contains("does not exist"))
    XCTAssertTrue(message(folder).contains("is a folder"))
    let latin1 = folder + "/latin1.yml"
    try Data("repository:\n  path: /srv/caf".utf8 + [0xE9] + Data("\n".utf8)).write(
      to: URL(fileURLWithPath: latin1))
    let notUTF8 = message(latin1)
    XCTAssertTrue(notUTF8.contains("latin1.yml:2") && notUTF8.contains("UTF-8"), notUTF8)
    let closed = folder + "/closed.yml"
    try Data("{}".utf8).write(to: URL(fileURLWithPath: closed))
    chmod(closed, 0)
    // Root reads any file: the check then runs the binary as nobody (as CI runs
    // as root, it would otherwise never run there).
    let refusal = getuid() != 0 ? message(closed) : try messageAsNobody(closed)
    XCTAssertTrue(refusal.contains("cannot read the configuration file: Permission denied"), refusal)
  }

  /// What the release binary says of `path` as the configuration, run as nobody.
  func messageAsNobody(_ path: String) throws -> String {
    let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(".build/release/datamancy-backup").path
    // A copy beside the file: the checkout may lie under a folder nobody cannot enter.
    let copy = (path as NSString).deletingLastPathComponent + "/datamancy-backup"
    try FileManager.default.copyItem(atPath: binary, toPath: copy)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    process.arguments = [
      "--reuid=nobody", "--regid=nogroup", "--clear-groups", copy, "snapshots", "--config", path,
    ]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 2, text)
    return text
  }
}
