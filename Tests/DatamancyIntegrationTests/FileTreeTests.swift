import Foundation
import XCTest

/// Folders as file trees, through the real binary: every kind of entry restored
/// exactly, incremental runs that open no unchanged file, browsing, partial
/// restores, the tar stream of `dump`, and sets of the tar era.
final class FileTreeTests: XCTestCase {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path
  static let treeScript = fixtures + "/filetree.py"

  /// A CLI with one `files` source `vol` over `vol/`, made by the fixture script.
  func treeCLI(extra: String = "", initialize options: [String] = []) throws -> CLI {
    let cli = try CLI()
    try cli.shell("python3 \(Self.treeScript) make vol")
    try cli.configure(sources: "    vol: { type: files, paths: [\(cli.folder)/vol]\(extra) }")
    try cli.initialize(options)
    return cli
  }

  /// The manifest of a folder without its socket (a socket is not stored).
  func manifest(_ cli: CLI, _ folder: String, acls: Bool = true) throws -> String {
    let command = acls ? "manifest" : "manifest-without-acls"
    return try cli.shell("python3 \(Self.treeScript) \(command) \(folder) | grep -v \"^b'socket'\"")
  }

  func testEveryKindOfEntryComesBackExactly() throws {
    let cli = try treeCLI()
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 0, backup.stderr)
    XCTAssertTrue(backup.text.contains("1 socket not stored"), backup.text)
    let restore = cli.run(["restore", "latest", "--to", "out"])
    XCTAssertEqual(restore.status, 0, restore.stderr)
    let original = try manifest(cli, "vol")
    XCTAssertTrue(original.contains("linked-to b'a/linked'"), "the fixture has hardlinks: \(original)")
    XCTAssertTrue(original.contains("system.posix_acl_access"), "the fixture has an ACL")
    XCTAssertEqual(try manifest(cli, "out/vol/vol"), original)
    // The 1 GiB sparse file stays sparse.
    let allocated = try XCTUnwrap(Int(try cli.shell("stat -c '%b*%B' out/vol/vol/sparse | bc")))
    XCTAssertLessThan(allocated, 64 << 20)
    // The same tree as a tar stream, read by GNU tar (which keeps ACLs apart).
    try cli.shell(
      "mkdir tar && \(CLI.binary) dump latest vol/vol | tar -x --xattrs --xattrs-include='*' --numeric-owner -C tar"
    )
    XCTAssertEqual(try manifest(cli, "tar", acls: false), try manifest(cli, "vol", acls: false))
    for command in [["verify"], ["drill", "--all"], ["check", "--read-data"]] {
      let result = cli.run(command)
      XCTAssertEqual(result.status, 0, "\(command): \(result.text) \(result.stderr)")
    }
  }

  /// The openat(2) calls of a backup for regular files under `vol` (folders are
  /// opened with O_DIRECTORY).
  func filesOpened(_ cli: CLI, _ arguments: [String] = ["backup"]) throws -> [String] {
    try cli.shell(
      "strace -f -qq -e trace=openat -o trace.txt \(CLI.binary) \(arguments.joined(separator: " ")) > /dev/null"
    )
    let trace = try String(contentsOfFile: cli.folder + "/trace.txt", encoding: .utf8)
    return trace.split(separator: "\n").filter {
      $0.contains("\"\(cli.folder)/vol/") && !$0.contains("O_DIRECTORY") && !$0.contains("ENOENT")
    }.map(String.init)
  }

  func files(_ cli: CLI) throws -> [String: Int] {
    let item = try XCTUnwrap((try cli.sets().last?["items"] as? [[String: Any]])?.first)
    return try XCTUnwrap(item["files"] as? [String: Int], "\(item)")
  }

  func testAnUnchangedTreeIsBackedUpWithoutOpeningAFile() throws {
    let cli = try treeCLI()
    try cli.shell(
      "for i in $(seq 1 300); do mkdir -p vol/many/$((i % 7)); echo $i > vol/many/$((i % 7))/$i.txt; done")
    XCTAssertGreaterThan(try filesOpened(cli).count, 300, "the first backup reads every file")
    XCTAssertEqual(try filesOpened(cli), [], "an unchanged tree opens no file")
    let unchanged = try files(cli)
    let item = try XCTUnwrap((try cli.sets().last?["items"] as? [[String: Any]])?.first)
    XCTAssertEqual(item["path"] as? String, cli.folder + "/vol", "the folder's own path is recorded")
    XCTAssertEqual(item["content"] as? String, "folder")
    XCTAssertEqual(unchanged["new"], 0)
    XCTAssertEqual(unchanged["changed"], 0)
    XCTAssertGreaterThan(unchanged["unchanged"] ?? 0, 300)
    try cli.shell("echo more >> vol/many/3/10.txt")
    let opened = try filesOpened(cli)
    XCTAssertEqual(opened.count, 1, "\(opened)")
    XCTAssertTrue(opened.first?.contains("vol/many/3/10.txt") == true, "\(opened)")
    XCTAssertEqual(try files(cli)["changed"], 1)
    XCTAssertGreaterThan(try filesOpened(cli, ["backup", "--force-reread"]).count, 300)
    let restore = cli.run(["restore", "latest", "--to", "out"])
    XCTAssertEqual(restore.status, 0, restore.stderr)
    XCTAssertEqual(try manifest(cli, "out/vol/vol"), try manifest(cli, "vol"))
  }

  func testAFileThatKeepsChangingWhileReadIsReadTwiceAndWarnedAbout() throws {
    let cli = try treeCLI()
    try cli.randomFile("vol/growing.log", count: 256 << 20)
    // An appender that outlives the backup: every read sees the file change.
    let appender = Process()
    appender.executableURL = URL(fileURLWithPath: "/bin/bash")
    appender.arguments = ["-c", "while true; do echo line >> vol/growing.log; sleep 0.002; done"]
    appender.currentDirectoryURL = URL(fileURLWithPath: cli.folder)
    appender.standardOutput = FileHandle.nullDevice
    appender.standardError = FileHandle.nullDevice
    try appender.run()
    defer {
      appender.terminate()
      appender.waitUntilExit()
    }
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 0, backup.stderr)
    XCTAssertTrue(backup.text.contains("1 file changed while read twice"), backup.text)
    XCTAssertTrue(backup.text.contains("vol/growing.log"), backup.text)
    XCTAssertEqual(try files(cli)["new"] ?? 0, 11 + 1, "each file counted once")
  }

  func testLsFindAndDiffAgreeWithTheFileSystem() throws {
    let cli = try treeCLI()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let listing = cli.run(["ls", "latest", "vol/vol", "--recursive", "--json"])
    XCTAssertEqual(listing.status, 0, listing.stderr)
    let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: listing.stdout) as? [[String: Any]])
    let listed = Set(entries.compactMap { $0["path"] as? String })
    let onDisk = try cli.shell(
      "cd vol && python3 -c 'import os\nfor d, ds, fs in os.walk(\".\"):\n  for n in ds + fs:\n    p = os.path.relpath(os.path.join(d, n))\n    if p != \"socket\": print(repr(os.fsencode(p).decode(\"utf-8\", \"replace\")))'"
    )
    let expected = Set(
      onDisk.split(separator: "\n").map { line -> String in
        // Python's repr of a str, as JSON would quote it.
        let quoted = String(line.dropFirst().dropLast())
        return quoted.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\\\", with: "\\")
      })
    XCTAssertEqual(listed, expected)
    let sizes = Dictionary(uniqueKeysWithValues: entries.map { ($0["path"] as! String, $0["size"] as! Int) })
    XCTAssertEqual(sizes["sparse"], 1 << 30)
    XCTAssertEqual(sizes["a/deep/er/random.bin"], Int(try cli.shell("stat -c %s vol/a/deep/er/random.bin")))
    XCTAssertEqual(
      cli.run(["ls", "latest", "vol/vol", "b"]).text.split(separator: "\n").count,
      Int(try cli.shell("find vol/b -mindepth 1 -printf x | wc -c")), "one line per entry, odd names escaped")

    let found = cli.run(["find", "*.txt", "--json"])
    let paths = try XCTUnwrap(try JSONSerialization.jsonObject(with: found.stdout) as? [[String: Any]]).map {
      $0["path"] as! String
    }
    XCTAssertEqual(
      paths.sorted(),
      try cli.shell("cd vol && find . -name '*.txt' -printf '%P\\n' | sort").split(separator: "\n").map(
        String.init))

    try cli.shell("echo changed >> vol/a/plain.txt && echo new > vol/a/deep/new.txt && rm vol/empty")
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let ids = try cli.sets().compactMap { $0["id"] as? String }
    let diff = cli.run(["diff", ids[0], ids[1], "--json"])
    XCTAssertEqual(diff.status, 0, diff.stderr)
    let changes = try XCTUnwrap(try JSONSerialization.jsonObject(with: diff.stdout) as? [[String: Any]])
    let summary = Set(changes.map { "\($0["change"]!) \($0["path"]!)" })
    // a/deep's mtime moved (a name was added); a's did not (a file in it changed).
    XCTAssertEqual(summary, ["M a/plain.txt", "+ a/deep/new.txt", "- empty", "M a/deep"])
  }

  func testRestoreOfOnePathWritesOnlyThatPath() throws {
    let cli = try treeCLI()
    for i in 0..<20 { try cli.randomFile("vol/a/big\(i).bin", count: 4 << 20, seed: "big\(i)") }
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let restore = cli.run([
      "restore", "latest", "--to", "out", "--item", "vol/vol", "--path", "a/big7.bin", "--path", "b",
    ])
    XCTAssertEqual(restore.status, 0, restore.stderr)
    XCTAssertEqual(
      try cli.shell("cd out/vol/vol && find . -type f | sort | head -3"),
      "./a/big7.bin\n./b/ leading space\n./b/also-linked")
    XCTAssertEqual(try cli.shell("find out -name 'big*' | wc -l"), "1")
    try cli.shell("cmp vol/a/big7.bin out/vol/vol/a/big7.bin")
    XCTAssertEqual(
      try cli.shell("\(CLI.binary) dump latest vol/vol --path a/big3.bin | sha256sum"),
      try cli.shell("sha256sum < vol/a/big3.bin"))
    let missing = cli.run(["restore", "latest", "--to", "out2", "--item", "vol/vol", "--path", "no/such"])
    XCTAssertEqual(missing.status, 1, missing.stderr)
    XCTAssertTrue(missing.stderr.contains("holds none of no/such"), missing.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: cli.folder + "/out2/vol/vol"))
    let escape = cli.run(["dump", "latest", "vol/vol", "--path", "../../etc/passwd"])
    XCTAssertEqual(escape.status, 2, escape.stderr)
  }

  func testRestoringIntoAnExistingFolderFollowsOverwrite() throws {
    let cli = try treeCLI()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    XCTAssertEqual(cli.run(["restore", "latest", "--to", "out"]).status, 0)
    try cli.shell("echo local > out/vol/vol/a/plain.txt && rm out/vol/vol/empty")
    XCTAssertEqual(cli.run(["restore", "latest", "--to", "out"]).status, 0)
    XCTAssertEqual(try cli.shell("cat out/vol/vol/a/plain.txt"), "local", "never is the default")
    XCTAssertTrue(
      FileManager.default.fileExists(atPath: cli.folder + "/out/vol/vol/empty"), "what is missing comes back")
    XCTAssertEqual(cli.run(["restore", "latest", "--to", "out", "--overwrite", "if-changed"]).status, 0)
    try cli.shell("cmp vol/a/plain.txt out/vol/vol/a/plain.txt")
  }

  func testExclusionsLeaveOutWhatTheyName() throws {
    let cli = try treeCLI(
      extra: ", exclude: ['*.tmp', a/deep], exclude_if_present: [.nobackup], exclude_larger_than: 1M")
    try cli.shell(
      "echo t > vol/x.tmp && mkdir vol/skipme && touch vol/skipme/.nobackup vol/skipme/f && head -c 2000000 /dev/zero > vol/large"
    )
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let listed = cli.run(["ls", "latest", "vol/vol", "-R"]).text.split(separator: "\n").map(String.init)
    for gone in ["x.tmp", "skipme", "skipme/f", "large", "a/deep", "a/deep/er/random.bin", "sparse"] {
      XCTAssertFalse(listed.contains(gone), "\(gone) is excluded: \(listed)")
    }
    XCTAssertTrue(listed.contains("a/plain.txt"), "\(listed)")
    try cli.configure(
      sources: "    vol: { type: files, paths: [\(cli.folder)/vol], exclude_larger_than: lots }")
    let refused = cli.run(["backup"])
    XCTAssertEqual(refused.status, 2)
    XCTAssertTrue(refused.stderr.contains("is not a size"), refused.stderr)
  }

  func testATarEraSetStillListsRestoresAndVerifies() throws {
    let cli = try CLI()
    try cli.shell("cp -r \(Self.fixtures)/tar-era-repository repo")
    cli.environment["DATAMANCY_BACKUP_PASSWORD"] = "fixture-password"
    try cli.configure(sources: "    files: { type: files, paths: [\(cli.folder)/vol] }")
    XCTAssertTrue(cli.run(["snapshots", "latest"]).text.contains("files/vol"))
    let restore = cli.run(["restore", "latest", "--to", "out"])
    XCTAssertEqual(restore.status, 0, restore.stderr)
    XCTAssertEqual(try cli.shell("cat out/files/vol/a.txt"), "hello tar era")
    XCTAssertEqual(try cli.shell("readlink out/files/vol/link"), "a.txt")
    XCTAssertEqual(
      try cli.shell("sha256sum < out/files/vol/sub/blob.bin"),
      "ed7fba3d7fa7613b5f35482ad8d582bf6e5c921794e911507ede13bda63acb0f  -")
    XCTAssertTrue(try cli.shell("\(CLI.binary) dump latest files/vol | tar -t").contains("./sub/blob.bin"))
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
    // A new backup of the same folder next to it is a tree.
    try cli.shell("cp -r out/files/vol vol")
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    XCTAssertEqual(cli.run(["ls", "latest", "files/vol", "sub"]).text, "sub/blob.bin\n")
    XCTAssertEqual(cli.run(["prune"]).status, 0)
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
  }

  func testAKilledTreeBackupLeavesARepositoryThatChecks() throws {
    let cli = try treeCLI()
    for i in 0..<80 { try cli.randomFile("vol/k\(i).bin", count: 4 << 20, seed: "k\(i)") }
    var killed = 0
    for _ in 0..<4 {
      // Every file read each time: a run that reuses the last tree ends too soon.
      if cli.killWhileRunning(["backup", "--force-reread"], after: 0.05...0.6).killed { killed += 1 }
      let check = cli.run(["check"])
      XCTAssertEqual(check.status, 0, check.text)
    }
    XCTAssertGreaterThan(killed, 0, "at least one backup was killed midway")
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
    XCTAssertEqual(cli.run(["prune"]).status, 0)
    XCTAssertEqual(cli.run(["restore", "latest", "--to", "out"]).status, 0)
    XCTAssertEqual(try manifest(cli, "out/vol/vol"), try manifest(cli, "vol"))
  }

  func testADamagedPackFailsTheRestoreWithExit4AndLeavesNothing() throws {
    let cli = try treeCLI()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let pack = try cli.shell("find repo/data -type f | head -1")
    try cli.flipByte(pack, at: 100)
    let restore = cli.run(["restore", "latest", "--to", "out"])
    XCTAssertEqual(restore.status, 4, restore.stderr)
    XCTAssertEqual(try cli.shell("find out -mindepth 2 | wc -l"), "0")
    let verify = cli.run(["verify"])
    XCTAssertNotEqual(verify.status, 0, verify.text)
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 4)
  }

  /// A pack holding part of a tree lost: prune refuses, repair marks the item
  /// failed and names it, the next backup stores the folder again in full.
  func testALostPackIsRepairedAndTheNextBackupStoresTheTreeAgain() throws {
    let cli = try treeCLI(extra: ", exclude: [sparse]", initialize: ["--pack-size", "4194304"])
    for i in 0..<6 { try cli.randomFile("vol/a/r\(i).bin", count: 3 << 20, seed: "r\(i)") }
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let pack = try cli.shell("ls -S repo/data/*/* | head -1")
    try cli.shell("rm \(pack)")
    XCTAssertEqual(cli.run(["prune"]).status, 4)
    let restore = cli.run(["restore", "latest", "--to", "out"])
    XCTAssertEqual(restore.status, 4, restore.stderr)
    let repair = cli.run(["repair", "--json"])
    XCTAssertEqual(repair.status, 0, repair.stderr)
    let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: repair.stdout) as? [String: Any])
    let items = try XCTUnwrap(
      (report["affectedSets"] as? [[String: Any]])?.first?["items"] as? [[String: Any]])
    XCTAssertEqual(items.compactMap { $0["item"] as? String }, ["vol/vol"])
    XCTAssertEqual(cli.run(["check"]).status, 0)
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 0, backup.stderr)
    XCTAssertEqual(try files(cli)["unchanged"], 0, "no copy is good to compare with: every file is read")
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
    XCTAssertEqual(cli.run(["restore", "latest", "--to", "out"]).status, 0)
    XCTAssertEqual(
      try manifest(cli, "out/vol/vol"),
      try cli.shell(
        "python3 \(Self.treeScript) manifest vol | grep -v \"^b'socket'\" | grep -v \"^b'sparse'\""))
  }

  /// With one_file_system, a file system mounted inside is a mount point left
  /// empty (the suite runs as root, as CI does, so it can mount a tmpfs).
  func testOneFileSystemStopsAtMountPoints() throws {
    let cli = try treeCLI(extra: ", one_file_system: true")
    try cli.shell("mkdir vol/mnt && mount -t tmpfs datamancy-test vol/mnt && echo inside > vol/mnt/f")
    defer { _ = try? cli.shell("umount vol/mnt") }
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let listed = cli.run(["ls", "latest", "vol/vol", "-R"]).text.split(separator: "\n").map(String.init)
    XCTAssertTrue(listed.contains("mnt"), "\(listed)")
    XCTAssertFalse(listed.contains("mnt/f"), "\(listed)")
    try cli.configure(sources: "    vol: { type: files, paths: [\(cli.folder)/vol] }")
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    XCTAssertTrue(
      cli.run(["ls", "latest", "vol/vol", "mnt"]).text.contains("mnt/f"), "crossed without the option")
  }
}
