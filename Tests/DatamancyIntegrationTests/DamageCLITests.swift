import DatamancyRepository
import DatamancyStorage
import Foundation
import XCTest

/// Damage of every kind of repository file: no command crashes, hangs or says
/// "ok" about bytes it cannot give back, and `repair` is always a way back.
final class DamageCLITests: XCTestCase {
  enum Kind: String, CaseIterable { case pack, index, set, key, config, lock }
  enum Harm: String, CaseIterable { case truncate, flip, zero, delete }

  /// A repository with two sets of a changing 3 MiB stream, two keys and a lock
  /// left by another host; returns the two versions of the data.
  func makeRepository(_ cli: CLI) throws -> (first: String, second: String) {
    try cli.randomFile("data", count: 3 << 20, seed: "first")
    try cli.configure(sources: "    blob: { type: command, command: [cat, \(cli.folder)/data] }")
    try cli.initialize([
      "--chunk-min", "65536", "--chunk-average", "131072", "--chunk-max", "262144", "--pack-size", "1048576",
    ])
    XCTAssertEqual(cli.run(["backup", "-q"]).status, 0)
    let first = try cli.shell("sha256sum < data")
    try cli.shell("dd if=/dev/urandom of=data bs=4096 seek=300 count=40 conv=notrunc status=none")
    XCTAssertEqual(cli.run(["backup", "-q"]).status, 0)
    let second = try cli.shell("sha256sum < data")
    XCTAssertEqual(
      cli.run(["key", "add"], environment: ["DATAMANCY_BACKUP_NEW_PASSWORD": "another-Pa55word"]).status, 0)
    let repository = try Repository.open(storage: LocalStorage(root: cli.repository), password: cli.password)
    let lock = try RepositoryLock.acquire(
      repository, exclusive: true, command: "prune", clock: { Date() }, host: "elsewhere", onLost: { _ in })
    // Left by a host that stopped refreshing it two hours ago: stale.
    try cli.shell("touch -d '2 hours ago' repo/locks/*")
    addTeardownBlock { lock.release() }
    return (first, second)
  }

  func damage(_ kind: Kind, _ harm: Harm, in cli: CLI) throws -> String {
    let folder: String
    switch kind {
    case .pack: folder = "data"
    case .index: folder = "index"
    case .set: folder = "snapshots"
    case .key: folder = "keys"
    case .lock: folder = "locks"
    case .config: folder = ""
    }
    let file =
      kind == .config
      ? "repo/config" : try XCTUnwrap(try cli.shell("find repo/\(folder) -type f | shuf -n 1").nilIfEmpty)
    switch harm {
    case .delete: try cli.shell("rm \(file)")
    case .truncate:
      try cli.shell("truncate -s $(( $(stat -c %s \(file)) * $((RANDOM % 90 + 5)) / 100 )) \(file)")
    case .zero:
      try cli.shell("dd if=/dev/zero of=\(file) bs=1 count=$(stat -c %s \(file)) conv=notrunc status=none")
    case .flip:
      try cli.shell(
        "n=$(( RANDOM * 32768 + RANDOM )); p=$(( n % $(stat -c %s \(file)) )); "
          + "b=$(od -An -tu1 -j $p -N1 \(file) | tr -d ' '); "
          + "printf \"$(printf '\\\\%03o' $(( b ^ 0x10 )))\" | dd of=\(file) bs=1 seek=$p conv=notrunc status=none"
      )
    }
    return file
  }

  /// Runs a command with a time bound; it must end by itself, not by a signal.
  func bounded(_ cli: CLI, _ arguments: [String], _ context: String, seconds: Double = 60) -> CLI.Result {
    let result = cli.run(arguments, timeout: seconds)
    XCTAssertFalse(result.timedOut, "\(arguments) hung: \(context)")
    XCTAssertFalse(result.signaled, "\(arguments) crashed: \(context)\n\(result.stderr)")
    if result.status != 0 {
      // check and verify print their findings; the others one message on stderr.
      XCTAssertFalse(
        result.stderr.isEmpty && result.stdout.isEmpty, "\(arguments) failed silently: \(context)")
    }
    return result
  }

  /// Restores a set into a fresh folder; if that succeeds, the bytes must be the
  /// expected ones.
  func assertRestoreNeverLies(_ cli: CLI, set: String, expected: String, _ context: String) throws {
    let target = "out-\(UUID().uuidString)"
    let restore = bounded(cli, ["restore", set, "--to", target], context)
    if restore.status == 0 {
      XCTAssertEqual(try cli.shell("sha256sum < \(target)/blob"), expected, "restore lied: \(context)")
    } else {
      XCTAssertFalse(FileManager.default.fileExists(atPath: "\(cli.folder)/\(target)/blob"), context)
      XCTAssertNotEqual(restore.status, 3, context)
    }
  }

  func testRandomizedDamageNeverGivesAFalseSuccess() throws {
    var trials = Kind.allCases.flatMap { kind in Harm.allCases.map { (kind, $0) } }
    trials.shuffle()
    XCTAssertGreaterThanOrEqual(trials.count, 24)
    for (kind, harm) in trials {
      let cli = try CLI()
      let (first, second) = try makeRepository(cli)
      let sets = try cli.sets().map { $0["id"] as! String }
      let file = try damage(kind, harm, in: cli)
      let context = "\(harm) \(file)"
      for command in [["snapshots"], ["status"], ["check"], ["check", "--read-data"], ["verify"]] {
        _ = bounded(cli, command, context)
      }
      try assertRestoreNeverLies(cli, set: sets[0], expected: first, context)
      try assertRestoreNeverLies(cli, set: sets[1], expected: second, context)
      let dump = cli.run(["dump", sets[1], "blob"], timeout: 60)
      if dump.status == 0 {
        XCTAssertEqual(dump.stdout.count, 3 << 20, context)
      }
      // The next backup either fails or writes a set that restores.
      let backup = bounded(cli, ["backup", "--json"], context)
      if backup.status == 0 {
        let id = try XCTUnwrap(
          (try JSONSerialization.jsonObject(with: backup.stdout) as? [String: Any])?["id"] as? String)
        try assertRestoreNeverLies(cli, set: id, expected: second, context + ", backup after damage")
        if kind == .pack && (harm == .delete || harm == .truncate) {
          // A pack known missing or short is never reused: this set restores.
          XCTAssertEqual(cli.run(["restore", id, "--to", "after-lost-pack"]).status, 0, context)
        }
      }
      // repair, then a backup that exits 0 writes a set that restores byte for
      // byte, and the repository passes a full check.
      let repair = bounded(cli, ["repair"], context)
      let after = bounded(cli, ["backup", "--json"], context)
      if after.status == 0 {
        let id = try XCTUnwrap(
          (try JSONSerialization.jsonObject(with: after.stdout) as? [String: Any])?["id"] as? String)
        let target = "after-repair"
        XCTAssertEqual(bounded(cli, ["restore", id, "--to", target], context).status, 0, context)
        XCTAssertEqual(try cli.shell("sha256sum < \(target)/blob"), second, context)
        let check = bounded(cli, ["check", "--read-data"], context)
        XCTAssertEqual(check.status, 0, "\(context): repair \(repair.text)\(repair.stderr)\n\(check.text)")
      } else {
        // Only a lost key or config stops every command; neither can be rebuilt.
        XCTAssertTrue(kind == .key || kind == .config, "\(context): \(after.stderr)")
      }
    }
  }

  func testABackupAfterALostPackStoresItsChunksAgain() throws {
    let cli = try CLI()
    let (_, second) = try makeRepository(cli)
    try cli.shell("rm $(ls repo/data/*/* | head -1)")
    let backup = cli.run(["backup", "--json"])
    XCTAssertEqual(backup.status, 0, backup.stderr)
    XCTAssertTrue(backup.stderr.contains("repair"), "the backup warns: \(backup.stderr)")
    let stored = try XCTUnwrap(try JSONSerialization.jsonObject(with: backup.stdout) as? [String: Any])
    let item = try XCTUnwrap((stored["items"] as? [[String: Any]])?.first)
    XCTAssertGreaterThan(try XCTUnwrap(item["storedBytes"] as? Int), 0, "the lost chunks are stored again")
    let id = try XCTUnwrap(stored["id"] as? String)
    XCTAssertEqual(cli.run(["restore", id, "--to", "new"]).status, 0)
    XCTAssertEqual(try cli.shell("sha256sum < new/blob"), second)
  }

  func testLostPackPruneRefusesAndRepairListsWhatWasLost() throws {
    let cli = try CLI()
    let (_, second) = try makeRepository(cli)
    let sets = try cli.sets().map { $0["id"] as! String }
    // The set holding the blob as it is now (both may share one second's time).
    let newest = try XCTUnwrap(
      sets.first { try cli.shell("\(CLI.binary) dump \($0) blob | sha256sum") == second })
    let pack = try cli.shell("ls repo/data/*/* | head -1")
    try cli.shell("rm \(pack)")
    let packID = (pack as NSString).lastPathComponent

    let prune = cli.run(["prune"])
    XCTAssertEqual(prune.status, 4)
    XCTAssertTrue(prune.stderr.contains(packID), prune.stderr)
    XCTAssertEqual(cli.run(["check"]).status, 4, "plain check sees the missing pack")
    // A set that needs the pack: damage, exit 4, naming the pack.
    var lostIn: [String] = []
    for set in sets {
      let restore = cli.run(["restore", set, "--to", "old-\(set.prefix(8))"])
      if restore.status != 0 {
        XCTAssertEqual(restore.status, 4, restore.stderr)
        XCTAssertTrue(restore.stderr.contains(packID), restore.stderr)
        lostIn.append(set)
      }
      let dump = cli.run(["dump", set, "blob"])
      XCTAssertEqual(dump.status, restore.status == 0 ? 0 : 4, dump.stderr)
    }
    XCTAssertFalse(lostIn.isEmpty, "some set used the deleted pack")

    let repair = cli.run(["repair", "--json"])
    XCTAssertEqual(repair.status, 0, repair.stderr)
    let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: repair.stdout) as? [String: Any])
    let affected = try XCTUnwrap(report["affectedSets"] as? [[String: Any]])
    XCTAssertEqual(Set(affected.compactMap { $0["set"] as? String }), Set(lostIn))
    for set in affected {
      let items = try XCTUnwrap(set["items"] as? [[String: Any]])
      XCTAssertEqual(items.compactMap { $0["item"] as? String }, ["blob"])
    }
    XCTAssertEqual((report["damagedPacks"] as? [String: String])?.keys.sorted(), [packID])
    let text = cli.run(["repair"])
    XCTAssertEqual(text.status, 0)
    XCTAssertTrue(text.text.contains("nothing to repair"), "a second repair finds nothing: \(text.text)")
    // The sets stay, their item marked failed; nothing offers them as restorable.
    let listed = try cli.sets()
    XCTAssertEqual(listed.count, 2)
    XCTAssertEqual(listed.filter { $0["status"] as? String == "failed" }.count, lostIn.count)

    let next = cli.run(["backup", "--json"])
    XCTAssertEqual(next.status, 0, next.stderr)
    let stored = try XCTUnwrap(try JSONSerialization.jsonObject(with: next.stdout) as? [String: Any])
    let item = try XCTUnwrap((stored["items"] as? [[String: Any]])?.first)
    // The pack is the first by name, so random: when it held chunks of the blob as
    // it is now (the newest set lost data), the next backup stores them again;
    // when it held only the older set's chunks, the blob needs nothing new.
    let storedBytes = try XCTUnwrap(item["storedBytes"] as? Int)
    if lostIn.contains(newest) {
      XCTAssertGreaterThan(storedBytes, 0, "the lost chunks are stored again")
    } else {
      XCTAssertEqual(storedBytes, 0, "the newest set lost nothing, so nothing is stored again")
    }
    XCTAssertEqual(cli.run(["restore", "latest", "--to", "latest"]).status, 0)
    XCTAssertEqual(try cli.shell("sha256sum < latest/blob"), second)
    let check = cli.run(["check", "--read-data"])
    XCTAssertEqual(check.status, 0, check.text)
    XCTAssertEqual(cli.run(["prune"]).status, 0)
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
  }

  /// Killed anywhere, repair leaves a repository that check passes, or that a
  /// second repair finishes.
  func testRepairKilledAnywhereIsFinishedByTheNextRepair() throws {
    let cli = try CLI()
    try cli.randomFile("data", count: 64 << 20)
    try cli.configure(sources: "    blob: { type: command, command: [cat, \(cli.folder)/data] }")
    try cli.initialize(["--pack-size", "1048576"])
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    try cli.shell("dd if=/dev/urandom of=data bs=1M seek=20 count=4 conv=notrunc status=none")
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    // Damage: one pack lost, one cut short, one with a flipped byte, one index file lost.
    try cli.shell(
      """
      set -e
      packs=($(ls repo/data/*/* | shuf -n 3))
      rm ${packs[0]}
      truncate -s 100000 ${packs[1]}
      b=$(od -An -tu1 -j 5000 -N1 ${packs[2]} | tr -d ' ')
      printf "$(printf '\\\\%03o' $(( b ^ 0xff )))" | dd of=${packs[2]} bs=1 seek=5000 conv=notrunc status=none
      rm $(ls repo/index/* | head -1)
      cp -a repo damaged
      """)
    // How long such a repair runs here and now: the shortest of three.
    var duration = Double.infinity
    for _ in 1...3 {
      try cli.shell("rm -rf repo && cp -a damaged repo")
      let started = Date()
      XCTAssertEqual(cli.run(["repair"]).status, 0)
      duration = min(duration, Date().timeIntervalSince(started))
    }
    var killedMidway = 0
    var trial = 0
    // Ten trials, and on until six kills landed in a running repair; a kill after
    // the repair had ended shortens the measure (a machine less loaded than at it).
    while trial < 10 || (killedMidway <= 5 && trial < 30) {
      trial += 1
      try cli.shell("rm -rf repo && cp -a damaged repo")
      let (killed, delay) = cli.killWhileRunning(["repair"], after: 0.0...(0.8 * duration))
      if killed { killedMidway += 1 } else { duration *= 0.8 }
      // The killed repair's lock stays: its process is gone, so it is stale.
      if cli.run(["check", "--read-data"]).status != 0 {
        let again = cli.run(["repair"])
        XCTAssertEqual(again.status, 0, "trial \(trial) after \(delay)s: \(again.stderr)")
        let check = cli.run(["check", "--read-data"])
        XCTAssertEqual(check.status, 0, "trial \(trial) after \(delay)s: \(check.text)")
      }
      XCTAssertEqual(cli.run(["backup"]).status, 0)
      XCTAssertEqual(
        try cli.shell("\(CLI.binary) dump latest blob | sha256sum"), try cli.shell("sha256sum < data"))
      XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0, "trial \(trial)")
    }
    XCTAssertGreaterThan(killedMidway, 5)
  }

  func testADamagedSetFileBlocksNoOtherSet() throws {
    let cli = try CLI()
    let (first, _) = try makeRepository(cli)
    let sets = try cli.sets().map { $0["id"] as! String }
    try cli.shell("truncate -s 10 repo/snapshots/\(sets[1])")
    try cli.shell("echo stray > repo/snapshots/notes.txt")

    let listing = cli.run(["snapshots"])
    XCTAssertEqual(listing.status, 0, listing.stderr)
    XCTAssertTrue(listing.text.contains(String(sets[0].prefix(8))), listing.text)
    XCTAssertTrue(listing.text.contains("damaged"), listing.text)
    XCTAssertTrue(listing.text.contains("notes.tx"), listing.text)
    let json = cli.run(["snapshots", "--json"])
    XCTAssertEqual(try CLI.setList(json.stdout).map { $0["id"] as! String }, [sets[0]])
    XCTAssertTrue(json.stderr.contains(sets[1]), "damage is reported: \(json.stderr)")

    XCTAssertEqual(cli.run(["restore", sets[0], "--to", "good"]).status, 0)
    XCTAssertEqual(try cli.shell("sha256sum < good/blob"), first)
    let damaged = cli.run(["restore", sets[1], "--to", "bad"])
    XCTAssertEqual(damaged.status, 4, damaged.stderr)
    XCTAssertTrue(damaged.stderr.contains("forget"), damaged.stderr)
    // Prune keeps every chunk: the unreadable set may need any of them.
    let before = try cli.shell("find repo/data -type f | sort")
    let prune = cli.run(["prune", "--json"])
    XCTAssertEqual(prune.status, 0, prune.stderr)
    XCTAssertEqual(try cli.shell("find repo/data -type f | sort"), before)
    XCTAssertEqual(cli.run(["forget", "--keep-latest", "5"]).status, 0)
    // An explicit forget removes the damaged files; then prune frees their data.
    XCTAssertEqual(cli.run(["forget", String(sets[1].prefix(8)), "notes.txt"]).status, 0)
    XCTAssertEqual(try cli.shell("ls repo/snapshots"), sets[0])
    XCTAssertEqual(cli.run(["prune"]).status, 0)
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
    XCTAssertEqual(cli.run(["restore", sets[0], "--to", "again"]).status, 0)
    XCTAssertEqual(try cli.shell("sha256sum < again/blob"), first)
  }

  func testWrongShapeOfSnapshotsJSONFailsInsteadOfReadingAsEmpty() {
    XCTAssertThrowsError(try CLI.setList(Data("{\"sets\": []}".utf8)))
    XCTAssertThrowsError(try CLI.setList(Data("[{\"name\": \"x\"}]".utf8)))
    XCTAssertThrowsError(try CLI.setList(Data("not json".utf8)))
    XCTAssertEqual(try CLI.setList(Data("[]".utf8)).count, 0)
  }

  func testDamagedKeyOrConfigGivesAdviceThatIsNotCircular() throws {
    let cli = try CLI()
    _ = try makeRepository(cli)
    try cli.shell("dd if=/dev/zero of=repo/config bs=1 count=40 conv=notrunc status=none")
    let snapshots = cli.run(["snapshots"])
    XCTAssertEqual(snapshots.status, 4)
    XCTAssertTrue(snapshots.stderr.contains("restore 'config' from a copy"), snapshots.stderr)
    XCTAssertFalse(snapshots.stderr.contains("check --read-data' to list"), snapshots.stderr)
    // check still reports what it can.
    let check = cli.run(["check", "--read-data"])
    XCTAssertEqual(check.status, 4)
    XCTAssertTrue(check.text.contains("error: config"), check.text)
    XCTAssertTrue(check.text.contains("chunks"), "the packs were still read: \(check.text)")

    let keys = try cli.shell("ls repo/keys").split(separator: "\n")
    for key in keys { try cli.shell("truncate -s 20 repo/keys/\(key)") }
    let open = cli.run(["snapshots"])
    XCTAssertEqual(open.status, 4)
    XCTAssertTrue(open.stderr.contains("restore the key file from a copy"), open.stderr)
  }
}

extension String {
  var nilIfEmpty: String? { isEmpty ? nil : self }
}
