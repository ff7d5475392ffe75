import Foundation
import XCTest

/// forget, prune, tag and key through the command line: the space of removed sets
/// comes back, kept sets restore byte for byte, a killed prune harms nothing, and
/// keys change without touching data.
final class RetentionCLITests: XCTestCase {
  var cli: CLI!

  override func setUpWithError() throws {
    cli = try CLI()
    try FileManager.default.createDirectory(atPath: cli.folder + "/vol", withIntermediateDirectories: true)
    try cli.configure(sources: "    vol: { type: files, paths: [\(cli.folder)/vol] }")
    try cli.initialize(["--pack-size", "1048576"])
  }

  /// A backup of `vol` holding one new random file, recorded at `time`.
  @discardableResult
  func backup(_ day: Int, size: Int = 3 << 20, keep: Bool = false) throws -> String {
    if !keep { try cli.shell("rm -f vol/*") }
    try cli.randomFile("vol/day\(day).bin", count: size, seed: "day\(day)")
    let time = String(format: "2026-11-%02dT02:00:00Z", day)
    let result = cli.run(["backup", "--time", time])
    XCTAssertEqual(result.status, 0, result.stderr)
    let set = try XCTUnwrap(
      try cli.sets().first { ($0["time"] as? String)?.hasPrefix(String(time.prefix(19))) == true })
    return try XCTUnwrap(set["id"] as? String)
  }

  func dataBytes() throws -> Int { Int(try cli.shell("du -sb repo/data | cut -f1"))! }

  /// Restores a set's `vol` and compares it with the saved copy of that day's file.
  func assertRestores(_ id: String, day: Int, file: StaticString = #filePath, line: UInt = #line) throws {
    try cli.shell("rm -rf out")
    let result = cli.run(["restore", id, "--to", "out"])
    XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
    try cli.randomFile("expected.bin", count: 3 << 20, seed: "day\(day)")
    XCTAssertEqual(
      try cli.shell("cmp out/vol/vol/day\(day).bin expected.bin && echo same"), "same", file: file, line: line
    )
  }

  func testForgetThenPruneGivesBackWhatOnlyRemovedSetsUsed() throws {
    var ids: [String] = []
    for day in 1...6 { ids.append(try backup(day)) }
    let dry = cli.run(["forget", "--keep-latest", "2", "--dry-run", "--json"])
    XCTAssertEqual(dry.status, 0, dry.stderr)
    let decisions = try JSONSerialization.jsonObject(with: dry.stdout) as! [[String: Any]]
    XCTAssertEqual(decisions.filter { $0["keep"] as? Bool == false }.count, 4)
    XCTAssertEqual(
      decisions.last?["reasons"] as? [String], ["vol/vol: newest good copy", "vol/vol: latest"])
    XCTAssertEqual(try cli.sets().count, 6, "a dry run removes nothing")
    // The text: oldest first, as snapshots lists them; one line per set, rules grouped.
    let text = cli.run(["forget", "--keep-latest", "2", "--dry-run"]).text.split(separator: "\n").map(
      String.init)
    XCTAssertEqual(text.count, 8, text.joined(separator: "\n"))
    XCTAssertTrue(text[1].hasPrefix("would remove  \(ids[0].prefix(8))"), text[1])
    XCTAssertTrue(text[6].hasSuffix("newest good copy: vol/vol; latest: vol/vol"), text[6])

    let removedBytes = try cli.sets().prefix(4).reduce(0) { $0 + ($1["storedBytes"] as? Int ?? 0) }
    let before = try dataBytes()
    let forget = cli.run(["forget", "--keep-latest", "2", "--prune"])
    XCTAssertEqual(forget.status, 0, forget.stderr)
    let freed = before - (try dataBytes())
    XCTAssertEqual(Double(freed), Double(removedBytes), accuracy: Double(removedBytes) * 0.02)
    XCTAssertEqual(try cli.sets().map { $0["id"] as! String }, Array(ids.suffix(2)))
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
    try assertRestores(ids[4], day: 5)
    try assertRestores(ids[5], day: 6)
  }

  func testPinnedSetsSurviveAndPruneRepacksHalfUsedPacks() throws {
    try backup(1)
    let second = try backup(2, keep: true)  // day1 and day2 files together
    try backup(3)
    let pinned = cli.run(["tag", second, "--pin", "--add", "before-upgrade"])
    XCTAssertEqual(pinned.status, 0, pinned.stderr)
    XCTAssertEqual(cli.run(["forget", "--keep-latest", "1"]).status, 0)
    let tags = try cli.sets().map { $0["tags"] as? [String] ?? [] }
    XCTAssertEqual(tags, [["before-upgrade", "pinned"], []])
    // Repacking every pack with any dead byte must keep the pinned set whole.
    let prune = cli.run(["prune", "--repack-below", "100%", "--json"])
    XCTAssertEqual(prune.status, 0, prune.stderr)
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
    let pinnedID = try cli.sets()[0]["id"] as! String
    try cli.shell("rm -rf out")
    XCTAssertEqual(cli.run(["restore", pinnedID, "--to", "out"]).status, 0)
    try cli.randomFile("expected.bin", count: 3 << 20, seed: "day1")
    XCTAssertEqual(try cli.shell("cmp out/vol/vol/day1.bin expected.bin && echo same"), "same")
  }

  func testPruneKilledAtRandomMomentsHarmsNothing() throws {
    // Small chunks in 1 MiB packs, and a file whose every other 128 KiB block changes
    // between two sets: forgetting the first leaves every pack half dead, so prune
    // repacks them all and runs long enough to be killed in the middle.
    try cli.shell("rm -rf repo")
    try cli.initialize([
      "--pack-size", "1048576", "--chunk-min", "16384", "--chunk-average", "32768", "--chunk-max", "131072",
    ])
    func prepareTrial(_ trial: Int) throws {
      try cli.randomFile("vol/data.bin", count: 96 << 20, seed: "trial\(trial)")
      XCTAssertEqual(cli.run(["backup"]).status, 0)
      try cli.shell(
        "for i in $(seq 0 2 767); do dd if=/dev/urandom of=vol/data.bin bs=128K seek=$i count=1 conv=notrunc status=none; done"
      )
      XCTAssertEqual(cli.run(["backup"]).status, 0)
      XCTAssertEqual(cli.run(["forget", "--keep-latest", "1"]).status, 0)
    }
    // How long such a prune runs on this machine (0.3 s here): the kills are spread
    // over its first 80%, so that "most land in a running prune" does not depend on
    // the machine's speed.
    try prepareTrial(0)
    let started = Date()
    XCTAssertEqual(cli.run(["prune", "--repack-below", "100%"]).status, 0)
    var longest = max(0.05, Date().timeIntervalSince(started) * 0.8)
    var generator = SystemRandomNumberGenerator()
    var killedMidway = 0
    var trial = 0
    // Until ten kills have landed in a running prune; a kill that came after the
    // prune had ended narrows the window, so a machine faster (or less loaded)
    // than at the measure above still gets its ten.
    while killedMidway < 10 && trial < 40 {
      trial += 1
      let window = 0.02...max(0.02, longest)
      try prepareTrial(trial)
      let expected = try cli.shell("sha256sum < vol/data.bin")
      let process = cli.start(["prune", "--repack-below", "100%"])
      Thread.sleep(forTimeInterval: Double.random(in: window, using: &generator))
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      if process.terminationReason == .uncaughtSignal { killedMidway += 1 } else { longest *= 0.7 }
      let check = cli.run(["check", "--read-data"])
      XCTAssertEqual(check.status, 0, "trial \(trial): \(check.text)\(check.stderr)")
      try cli.shell("rm -rf out")
      XCTAssertEqual(cli.run(["restore", "latest", "--to", "out"]).status, 0)
      XCTAssertEqual(try cli.shell("sha256sum < out/vol/vol/data.bin"), expected, "trial \(trial)")
    }
    XCTAssertGreaterThanOrEqual(killedMidway, 10, "most kills must land in a running prune")
    XCTAssertEqual(cli.run(["prune"]).status, 0)
    let check = cli.run(["check", "--read-data"])
    XCTAssertEqual(check.status, 0)
    XCTAssertFalse(check.text.contains("not indexed"), "the last prune removes every leftover: \(check.text)")
  }

  func testAutomaticRetentionAfterABackup() throws {
    try cli.configure(
      sources: "    vol: { type: files, paths: [\(cli.folder)/vol] }",
      extra: "retention: { keep_latest: 2, auto: true }")
    for day in 1...4 { try backup(day) }
    XCTAssertEqual(try cli.sets().count, 2)
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
    XCTAssertFalse(cli.run(["check"]).text.contains("not indexed"))
    try assertRestores(try cli.sets()[0]["id"] as! String, day: 3)
  }

  func testBackupAndPruneStartedTogetherLoseNothing() throws {
    // The source waits for the file `go` (polled every 50 ms): the test touches it
    // once it has seen what it waits for, however slow the machine.
    try cli.configure(
      sources:
        "    slow: { type: command, command: [sh, -c, \"head -c 2000000 /dev/urandom; touch half; while [ ! -e go ]; do sleep 0.05; done\"] }"
    )
    let backup = cli.start(["backup"])
    // The backup holds its lock and has stored half its data when prune starts.
    // Sources start while the key is derived, before the lock: wait for both.
    try cli.waitFor("the backup halfway, holding its lock") {
      FileManager.default.fileExists(atPath: cli.folder + "/half") && cli.lockFiles() == 1
    }
    let prune = cli.run(["prune"])
    try cli.shell("touch go")
    backup.waitUntilExit()
    XCTAssertEqual(backup.terminationStatus, 0)
    XCTAssertEqual(prune.status, 11, prune.stderr)
    XCTAssertTrue(prune.stderr.contains("locked by"), prune.stderr)
    XCTAssertEqual(cli.run(["prune"]).status, 0)
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
    XCTAssertEqual(try cli.sets().count, 1)
  }

  func testKeyPasswdRewrapsWithoutTouchingData() throws {
    try backup(1)
    let packs = try cli.shell("find repo/data -type f | sort | xargs sha256sum")
    let changed = cli.run(
      ["key", "passwd", "--kdf-cost", "1024"], environment: ["DATAMANCY_BACKUP_NEW_PASSWORD": "new-Pa55word"])
    XCTAssertEqual(changed.status, 0, changed.stderr)
    XCTAssertEqual(cli.run(["snapshots"]).status, 12, "the old password no longer opens it")
    let new = ["DATAMANCY_BACKUP_PASSWORD": "new-Pa55word"]
    XCTAssertEqual(cli.run(["check", "--read-data"], environment: new).status, 0)
    XCTAssertEqual(try cli.shell("find repo/data -type f | sort | xargs sha256sum"), packs)

    // A second key; the last one can never be removed.
    let added = cli.run(
      ["key", "add", "--kdf-cost", "1024"],
      environment: new.merging(["DATAMANCY_BACKUP_NEW_PASSWORD": "second-Pa55word"]) { $1 })
    XCTAssertEqual(added.status, 0, added.stderr)
    let keys =
      try JSONSerialization.jsonObject(with: cli.run(["key", "list", "--json"], environment: new).stdout)
      as! [[String: Any]]
    XCTAssertEqual(keys.count, 2)
    let current = keys.first { $0["current"] as? Bool == true }!["id"] as! String
    let other = keys.first { $0["current"] as? Bool == false }!["id"] as! String
    XCTAssertEqual(cli.run(["key", "remove", String(current.prefix(8))], environment: new).status, 0)
    let second = ["DATAMANCY_BACKUP_PASSWORD": "second-Pa55word"]
    XCTAssertEqual(cli.run(["snapshots"], environment: new).status, 12, "a removed key no longer opens it")
    let last = cli.run(["key", "remove", String(other.prefix(8))], environment: second)
    XCTAssertEqual(last.status, 1)
    XCTAssertTrue(last.stderr.contains("last key"), last.stderr)
    XCTAssertEqual(cli.run(["check"], environment: second).status, 0)
  }
}
