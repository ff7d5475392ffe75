import Foundation
import XCTest

/// A repository whose disk fills up mid-backup: one clear message, no damage, and
/// once there is room again the next backup succeeds.
final class FullDiskTests: XCTestCase {
  func testFullDiskFailsClearlyAndLosesNothing() throws {
    let cli = try CLI()
    try cli.shell("mkdir -p repo")
    // A small tmpfs as the repository's disk (needs root, as in CI).
    do {
      try cli.shell("mount -t tmpfs -o size=6m tmpfs repo")
    } catch {
      if ProcessInfo.processInfo.environment["CI"] == "true" { throw error }
      throw XCTSkip("mounting a tmpfs needs root")
    }
    defer { _ = try? cli.shell("umount repo") }
    try cli.randomFile("small", count: 1 << 20, seed: "one")
    try cli.randomFile("big", count: 24 << 20, seed: "two")
    try cli.configure(
      sources: """
          small: { type: command, command: [cat, \(cli.folder)/small] }
          big: { type: command, command: [cat, \(cli.folder)/big] }
        """)
    try cli.initialize(["--pack-size", "1048576"])
    XCTAssertEqual(cli.run(["backup", "--source", "small"]).status, 0)

    let full = cli.run(["backup"])
    XCTAssertNotEqual(full.status, 0)
    XCTAssertTrue((full.text + full.stderr).contains("No space left on device"), full.text + full.stderr)
    XCTAssertEqual(try cli.shell("find repo -name '.tmp-*' | wc -l"), "0", "no partial object left")

    try cli.shell("mount -o remount,size=64m repo")
    let check = cli.run(["check", "--read-data"])
    XCTAssertEqual(check.status, 0, check.text + check.stderr)
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    XCTAssertEqual(
      try cli.shell("\(CLI.binary) dump latest big | sha256sum"), try cli.shell("sha256sum < big"))
    XCTAssertEqual(
      try cli.shell("\(CLI.binary) dump \(try firstSetID(cli)) small | sha256sum"),
      try cli.shell("sha256sum < small"))
  }

  func firstSetID(_ cli: CLI) throws -> String { try cli.sets().first!["id"] as! String }
}
