import Foundation
import XCTest

/// Back up and restore through the real binary: folders, commands, a 1 GiB stream.
final class RoundTripCLITests: XCTestCase {
  func testFolderWithManySmallFilesKeepsContentModeAndMtime() throws {
    let cli = try CLI()
    // 2,000 files in 20 folders, modes and mtimes varied, a symlink, and clutter
    // that the exclude patterns must leave out.
    try cli.shell(
      """
      set -e
      mkdir -p vol/app
      for d in $(seq 1 20); do
        mkdir -p vol/app/d$d
        for f in $(seq 1 100); do echo "file $d/$f $(seq 1 $f)" > vol/app/d$d/f$f.txt; done
        chmod 750 vol/app/d$d
      done
      chmod 600 vol/app/d1/f1.txt; chmod 755 vol/app/d2/f2.txt
      touch -d '2020-01-02 03:04:05' vol/app/d3/f3.txt
      ln -s d1/f1.txt vol/app/link
      mkdir -p vol/app/.cache vol/app/d4/node_modules
      echo x > vol/app/.cache/c; echo x > vol/app/d4/node_modules/m; echo x > vol/app/a.tmp; echo x > vol/app/d5/b.log
      """)
    try cli.configure(
      sources: """
          vol: { type: files, paths: [\(cli.folder)/vol/app], exclude: [.cache, node_modules, "*.tmp", "*.log"] }
          list: { type: command, command: [sh, -c, "seq 1 300000"] }
        """)
    try cli.initialize()
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 0, backup.stderr)
    let restore = cli.run(["restore", "latest", "--to", cli.folder + "/out"])
    XCTAssertEqual(restore.status, 0, restore.stderr)
    // Same names, content, modes and mtimes, without the excluded files.
    let listing = "find . -printf '%p %y %m %T@ %l\\n' | sort"
    let original = try cli.shell(
      "cd vol/app && find . \\( -name .cache -o -name node_modules -o -name '*.tmp' -o -name '*.log' \\) -prune -o -printf '%p %y %m %T@ %l\\n' | sort"
    )
    XCTAssertEqual(try cli.shell("cd out/vol/app && \(listing)"), original)
    XCTAssertEqual(
      try cli.shell(
        "cd vol/app && find . -type f ! -name '*.tmp' ! -name '*.log' ! -path '*/.cache/*' ! -path '*/node_modules/*' | sort | xargs sha256sum"
      ),
      try cli.shell("cd out/vol/app && find . -type f | sort | xargs sha256sum"))
    XCTAssertEqual(try cli.shell("seq 1 300000 | cmp - out/list && echo same"), "same")
    // dump writes the stored bytes: the folder comes out as a tar stream.
    XCTAssertEqual(
      try cli.shell("\(CLI.binary) dump latest vol/app | tar -t | grep -c 'f1.txt$'"), "20")
  }

  func testOneGiBStreamRoundTripsByteForByte() throws {
    let cli = try CLI()
    // Half incompressible, half repetitive text, so both paths of the chunk
    // sealer are used.
    try cli.randomFile("big", count: 512 << 20)
    try cli.shell("yes 'the quick brown fox jumps over the lazy dog' | head -c 536870912 >> big || true")
    XCTAssertEqual(try cli.shell("stat -c %s big"), "\(1 << 30)")
    try cli.configure(sources: "    big: { type: command, command: [cat, \(cli.folder)/big] }")
    try cli.initialize()
    let backup = cli.run(["backup", "--json"])
    XCTAssertEqual(backup.status, 0, backup.stderr)
    let set = try JSONSerialization.jsonObject(with: backup.stdout) as! [String: Any]
    let item = (set["items"] as! [[String: Any]])[0]
    XCTAssertEqual(item["rawBytes"] as? Int, 1 << 30)
    XCTAssertEqual(
      try cli.shell("\(CLI.binary) dump latest big | sha256sum | cut -d' ' -f1"),
      try cli.shell("sha256sum big | cut -d' ' -f1"))
    let check = cli.run(["check", "--read-data"])
    XCTAssertEqual(check.status, 0, check.text + check.stderr)
  }

  func testBackingUpTheSameDataTwiceAddsUnderOnePercent() throws {
    let cli = try CLI()
    try cli.randomFile("data", count: 64 << 20)
    try cli.configure(sources: "    data: { type: command, command: [cat, \(cli.folder)/data] }")
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let before = Int(try cli.shell("du -sb repo | cut -f1"))!
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let after = Int(try cli.shell("du -sb repo | cut -f1"))!
    XCTAssertLessThan(
      Double(after - before), 0.01 * Double(64 << 20), "second backup added \(after - before) bytes")
  }
}
