import Foundation
import XCTest

/// `copy` between repositories: a local folder → S3 (moto on loopback) → a second
/// folder, each under its own password and keys.
final class CopyCLITests: XCTestCase {
  func testCopyLocalToS3ToLocalRestoresEverySetAndASecondCopyTransfersNothing() throws {
    let cli = try CLI()
    let servers = Servers(cli: cli)
    addTeardownBlock { servers.stopAll() }
    let port = try servers.startS3()
    try cli.randomFile("data.bin", count: 6 << 20)
    try cli.shell("mkdir -p vol && cp data.bin vol/ && echo one > vol/notes.txt")
    let offsite =
      "{ path: s3://backups/offsite, endpoint: http://127.0.0.1:\(port), password: { env: OFFSITE_PASSWORD } }"
    try cli.configure(
      sources: """
          vol: { type: files, paths: [\(cli.folder)/vol] }
          dump: { type: command, command: [cat, \(cli.folder)/data.bin] }
        """,
      extra: """
        repositories:
          offsite: \(offsite)
        """)
    // The offsite repository seen from its own configuration, to back up from it.
    try "repository: \(offsite)\n".write(
      toFile: cli.folder + "/offsite.yml", atomically: true, encoding: .utf8)
    cli.environment["OFFSITE_PASSWORD"] = "offsite-Pa55"
    try cli.initialize()
    XCTAssertEqual(cli.run(["init", "--config", "offsite.yml", "--kdf-cost", "1024"]).status, 0)
    let far = cli.folder + "/far"
    XCTAssertEqual(
      cli.run(
        ["init", "--repo", far, "--kdf-cost", "1024"], environment: ["DATAMANCY_BACKUP_PASSWORD": "far-Pa55"]
      )
      .status, 0)

    XCTAssertEqual(cli.run(["backup"]).status, 0)
    try cli.shell("echo two >> vol/notes.txt && head -c 1000 /dev/urandom >> data.bin && cp data.bin vol/")
    XCTAssertEqual(cli.run(["backup"]).status, 0)

    // Local → S3: only the dump items first, then the rest of each set.
    let partial = cli.run(["copy", "--to", "offsite", "--source", "dump"])
    XCTAssertEqual(partial.status, 0, partial.stderr)
    XCTAssertTrue(partial.text.contains("2 of 2 sets copied to offsite"), partial.text)
    let rest = cli.run(["copy", "--to", "offsite"])
    XCTAssertEqual(rest.status, 0, rest.stderr)
    XCTAssertTrue(rest.text.contains("2 of 2 sets copied"), rest.text)
    // S3 → a second folder, from the offsite repository's side.
    let farCopy = cli.run(
      ["copy", "--config", "offsite.yml", "--to", far],
      environment: ["DATAMANCY_BACKUP_TO_PASSWORD": "far-Pa55"])
    XCTAssertEqual(farCopy.status, 0, farCopy.stderr)

    // Every set, every item, byte for byte at each end; each repository checks.
    let ends: [(name: String, arguments: [String], environment: [String: String])] = [
      ("local", [], [:]),
      ("offsite", ["--config", "offsite.yml"], [:]),
      ("far", ["--repo", far], ["DATAMANCY_BACKUP_PASSWORD": "far-Pa55"]),
    ]
    var digests: [String: [String]] = [:]
    for end in ends {
      let listing = cli.run(["snapshots", "--json"] + end.arguments, environment: end.environment)
      XCTAssertEqual(listing.status, 0, listing.stderr)
      let sets = try XCTUnwrap(try JSONSerialization.jsonObject(with: listing.stdout) as? [[String: Any]])
      XCTAssertEqual(sets.count, 2, "\(end.name): \(listing.text)")
      for (index, set) in sets.enumerated() {
        let id = try XCTUnwrap(set["id"] as? String)
        let time = "set \(index + 1)"
        let items = try XCTUnwrap(set["items"] as? [[String: Any]]).compactMap { $0["name"] as? String }
          .sorted()
        XCTAssertEqual(items, ["dump", "vol/vol"], "\(end.name) set \(time)")
        for item in items {
          let command = ([CLI.binary, "dump", id, item] + end.arguments).joined(separator: " ")
          let digest = try cli.shell(
            end.environment.map { "\($0)=\($1) " }.joined() + command + " | sha256sum")
          digests["\(time) \(item)", default: []].append(digest)
        }
      }
      let check = cli.run(["check", "--read-data"] + end.arguments, environment: end.environment)
      XCTAssertEqual(check.status, 0, "\(end.name): \(check.text)\(check.stderr)")
    }
    XCTAssertEqual(digests.count, 4)
    for (key, values) in digests { XCTAssertEqual(Set(values).count, 1, "\(key) differs: \(values)") }
    // The far end restores the newest files as they are now.
    let restore = cli.run(
      ["restore", "latest", "--repo", far, "--to", "out"],
      environment: ["DATAMANCY_BACKUP_PASSWORD": "far-Pa55"])
    XCTAssertEqual(restore.status, 0, restore.stderr)
    XCTAssertEqual(
      try cli.shell(
        "cmp out/vol/vol/data.bin vol/data.bin && cmp out/vol/vol/notes.txt vol/notes.txt && echo same"),
      "same")

    // A second copy, on each hop, finds everything there and writes nothing.
    let before = try cli.shell("find far -type f | sort | xargs sha256sum | sha256sum")
    let again = cli.run(["copy", "--to", "offsite"])
    XCTAssertEqual(again.status, 0, again.stderr)
    XCTAssertTrue(
      again.text.contains("0 of 2 sets copied to offsite; 2 already there, 0 B added"), again.text)
    let farAgain = cli.run(
      ["copy", "--config", "offsite.yml", "--to", far],
      environment: ["DATAMANCY_BACKUP_TO_PASSWORD": "far-Pa55"])
    XCTAssertEqual(farAgain.status, 0, farAgain.stderr)
    XCTAssertTrue(farAgain.text.contains("0 of 2 sets copied"), farAgain.text)
    XCTAssertEqual(try cli.shell("find far -type f | sort | xargs sha256sum | sha256sum"), before)

    // The far end never holds a file the local repository has: its own keys.
    let localNames = try cli.shell("cd repo && find data -type f | sort")
    let farNames = try cli.shell("cd far && find data -type f | sort")
    XCTAssertTrue(Set(localNames.split(separator: "\n")).isDisjoint(with: farNames.split(separator: "\n")))
  }

  func testCopyKilledMidwayIsResumedAndBackupCopiesToItsSecondaries() throws {
    let cli = try CLI()
    try cli.randomFile("data", count: 192 << 20)
    let second = cli.folder + "/second"
    try cli.configure(
      sources: "  data: { type: command, command: [cat, \(cli.folder)/data] }",
      extra: """
        repositories:
          second: { path: \(second) }
        """)
    try cli.initialize()
    XCTAssertEqual(
      cli.run(["init", "--repo", second, "--kdf-cost", "1024", "--pack-size", "1048576"]).status, 0)
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    var killedMidway = 0
    for trial in 1...3 {
      let (killed, delay) = cli.killWhileRunning(["copy", "--to", "second"], after: 0.1...0.5)
      if killed { killedMidway += 1 }
      let check = cli.run(["check", "--read-data", "--repo", second])
      XCTAssertEqual(check.status, 0, "trial \(trial) after \(delay)s: \(check.text)\(check.stderr)")
    }
    XCTAssertGreaterThan(killedMidway, 0, "a copy must have been killed while running")
    let resumed = cli.run(["copy", "--to", "second"])
    XCTAssertEqual(resumed.status, 0, resumed.stderr)
    XCTAssertEqual(
      try cli.shell("\(CLI.binary) dump latest data --repo \(second) | sha256sum"),
      try cli.shell("sha256sum < data"))

    // copy_to: the next backup copies its set to the secondary by itself.
    try cli.configure(
      sources: "  data: { type: command, command: [cat, \(cli.folder)/data] }",
      extra: """
        repositories:
          second: { path: \(second) }
        copy_to: [second]
        """)
    try cli.shell("head -c 4096 /dev/urandom >> data")
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 0, backup.stderr)
    XCTAssertTrue(backup.text.contains("1 of 2 sets copied to second; 1 already there"), backup.text)
    XCTAssertEqual(
      try cli.shell("\(CLI.binary) dump latest data --repo \(second) | sha256sum"),
      try cli.shell("sha256sum < data"))
    XCTAssertEqual(cli.run(["check", "--read-data", "--repo", second]).status, 0)

    // A secondary that cannot be reached: the set stands, the failure is said.
    try cli.shell("mv second second.away")
    try cli.shell("head -c 4096 /dev/urandom >> data")
    let failed = cli.run(["backup"])
    XCTAssertEqual(failed.status, 1, failed.text + failed.stderr)
    XCTAssertTrue(
      failed.stderr.contains("the backup set was saved, but copying it failed: second:"), failed.stderr)
    XCTAssertEqual(try cli.sets().count, 3)
  }
}
