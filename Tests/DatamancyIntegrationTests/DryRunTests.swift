import Foundation
import XCTest

/// Every command that takes `--dry-run` leaves the repository and its targets as
/// they were: every repository file byte for byte, no target written.
final class DryRunTests: XCTestCase {
  func testEveryDryRunChangesNothing() throws {
    let cli = try CLI()
    try FileManager.default.createDirectory(atPath: cli.folder + "/vol", withIntermediateDirectories: true)
    try cli.configure(
      sources: "    vol: { type: files, paths: [\(cli.folder)/vol] }",
      extra: "repositories:\n  other: { path: \(cli.folder)/other }")
    try cli.initialize()
    for day in 1...3 {
      try cli.randomFile("vol/day\(day).bin", count: 1 << 20, seed: "dry\(day)")
      let backup = cli.run(["backup", "--time", "2026-11-0\(day)T02:00:00Z"])
      XCTAssertEqual(backup.status, 0, backup.stderr)
    }
    // The copy target exists, empty, so that a dry copy has somewhere it could write.
    XCTAssertEqual(cli.run(["init", "--kdf-cost", "1024", "--repo", cli.folder + "/other"]).status, 0)
    let oldest = try XCTUnwrap(try cli.sets().first?["id"] as? String)
    // Every file of both repositories, with its hash: what no dry run may change.
    let state = "cd \(cli.folder) && find repo other -type f -print0 | sort -z | xargs -0 sha256sum"
    let before = try cli.shell(state)
    XCTAssertFalse(before.isEmpty)
    let runs: [[String]] = [
      ["prune", "--dry-run"],
      ["forget", "--keep-latest", "1", "--dry-run"],
      ["forget", "--keep-latest", "1", "--prune", "--dry-run"],
      ["forget", oldest, "--dry-run"],
      ["copy", "--to", "other", "--dry-run"],
      ["restore", "latest", "--to", "out", "--dry-run"],
    ]
    for arguments in runs {
      let result = cli.run(arguments)
      XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
      XCTAssertEqual(try cli.shell(state), before, "\(arguments) changed a repository")
    }
    XCTAssertFalse(
      FileManager.default.fileExists(atPath: cli.folder + "/out"), "a dry restore wrote its target")
    XCTAssertEqual(try cli.sets().count, 3)
  }
}
