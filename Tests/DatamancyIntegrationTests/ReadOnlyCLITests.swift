import Foundation
import XCTest

/// A repository on a read-only mount (an offsite copy, WORM media) can be read by
/// every command that only reads, without a lock.
final class ReadOnlyCLITests: XCTestCase {
  func testReadOnlyBindMountServesEveryReadingCommand() throws {
    let cli = try CLI()
    try cli.randomFile("data", count: 5 << 20)
    try cli.configure(sources: "    blob: { type: command, command: [cat, \(cli.folder)/data] }")
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let expected = try cli.shell("sha256sum < data")
    // A read-only bind mount of the repository (the tests run as root, as in CI).
    let mount = cli.folder + "/ro"
    try cli.shell("mkdir ro && mount --bind repo ro && mount -o remount,bind,ro ro")
    addTeardownBlock { _ = try? cli.shell("umount \(mount)") }
    XCTAssertThrowsError(try cli.shell("touch ro/probe"), "the mount must refuse writes")
    let repo = ["--repo", mount]

    let snapshots = cli.run(["snapshots"] + repo)
    XCTAssertEqual(snapshots.status, 0, snapshots.stderr)
    XCTAssertTrue(snapshots.stderr.contains("without a lock") || snapshots.stderr.isEmpty, snapshots.stderr)
    let check = cli.run(["check", "--read-data"] + repo)
    XCTAssertEqual(check.status, 0, check.stderr + check.text)
    XCTAssertEqual(check.stderr.components(separatedBy: "without a lock").count - 1, 1, "one warning line")
    XCTAssertEqual(try cli.shell("\(CLI.binary) dump latest blob --repo \(mount) | sha256sum"), expected)
    let restore = cli.run(["restore", "latest", "--to", "out"] + repo)
    XCTAssertEqual(restore.status, 0, restore.stderr)
    XCTAssertEqual(try cli.shell("sha256sum < out/blob"), expected)
    let verify = cli.run(["verify"] + repo)
    XCTAssertEqual(verify.status, 0, verify.stderr + verify.text)
    XCTAssertTrue(verify.stderr.contains("report could not be saved"), verify.stderr)
    let status = cli.run(["status"] + repo)
    XCTAssertEqual(status.status, 0, status.stderr)
    XCTAssertTrue(status.text.contains("blob"), status.text)

    // Writing commands fail with one clear message, and change nothing.
    let backup = cli.run(["backup"] + repo)
    XCTAssertNotEqual(backup.status, 0)
    XCTAssertTrue(backup.stderr.contains("Read-only") || backup.stderr.contains("read-only"), backup.stderr)
    // --no-lock: on purpose, on a writable repository; refused for a writing command.
    XCTAssertEqual(cli.run(["check", "--no-lock"]).status, 0)
    XCTAssertEqual(try cli.shell("ls repo/locks | wc -l"), "0")
    let refused = cli.run(["backup", "--no-lock"])
    XCTAssertEqual(refused.status, 2, refused.stderr)
    XCTAssertEqual(try cli.sets().count, 1)
  }
}
