import Foundation
import XCTest

/// PostgreSQL's WAL archived through `wal-push` (its archive_command) and read back
/// by `wal-fetch` (its restore_command): a base backup plus the archive recovers a
/// real PostgreSQL to a point in time; damage stops recovery; re-pushes are checked.
final class WALArchiveTests: XCTestCase {
  static let library =
    URL(fileURLWithPath: Servers.script).deletingLastPathComponent().path + "/lib/postgres.sh"

  func testArchiveAndRecoverToAPointInTime() throws {
    let cli = try CLI()
    let servers = Servers(cli: cli)
    let server = try servers.startPostgres()
    try cli.configure(
      sources: "  pg: { type: postgres_pitr, socket: \(server.dir), port: \(server.port), user: postgres }")
    try cli.initialize()
    // Without archiving a base backup would wait for ever: refused at once.
    let unarchived = cli.run(["backup"], timeout: 60)
    XCTAssertEqual(unarchived.status, 1, unarchived.stderr)
    XCTAssertTrue((unarchived.text + unarchived.stderr).contains("archive_mode is off"), unarchived.text)
    let config = cli.folder + "/datamancy-backup.yml"
    let command = "\(CLI.binary) wal-push --config \(config) --source pg %p"
    // The server runs as postgres: it must write the repository (the password
    // comes from its environment, inherited from the test's).
    try cli.shell(
      """
      set -e
      chown -R postgres repo
      psql -qX -c "alter system set archive_mode = on" -c "alter system set archive_command = '\(command)'"
      """)
    // A daemon started from a shell whose output the test reads would hold it open.
    try cli.shellWithoutOutput(
      """
      set -e
      source \(Self.library)
      as_postgres "$(pg_bin)/pg_ctl" -D \(server.dir)/data -l \(server.dir)/server.log -w -m fast restart
      """)
    try cli.shell(
      """
      psql -qX -c "create table t(id int primary key, note text)" \
        -c "insert into t select i, md5(i::text) from generate_series(1, 1000) i"
      """)
    try switchAndWait(cli)

    // A base backup (the postgres_pitr item), then rows before and after the target time.
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 0, backup.stderr + backup.text)
    XCTAssertTrue(backup.text.contains("pg/cluster"), backup.text)
    let early = cli.run(["restore", "--source", "pg", "--to-time", "2020-01-01T00:00:00Z", "--to", "early"])
    XCTAssertEqual(early.status, 2, early.stderr)
    XCTAssertTrue(early.stderr.contains("is before the end of the oldest base backup"), early.stderr)
    try cli.shell("psql -qX -c \"insert into t select i, md5(i::text) from generate_series(1001, 1500) i\"")
    let target = try cli.shell(
      "psql -qAtX -c \"select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD\\\"T\\\"HH24:MI:SS.MS\\\"Z\\\"')\""
    )
    let expected = try cli.shell(
      "psql -AtX -c \"select count(*) || ' ' || md5(string_agg(note, '' order by id)) from t\"")
    Thread.sleep(forTimeInterval: 1.2)
    try cli.shell("psql -qX -c \"insert into t select i, md5(i::text) from generate_series(1501, 2000) i\"")
    try switchAndWait(cli)
    XCTAssertEqual(try cli.shell("psql -AtX -c 'select failed_count from pg_stat_archiver'"), "0")
    let archived = try cli.shell("ls repo/wal/pg").split(separator: "\n").map(String.init)
    XCTAssertTrue(archived.contains { $0.hasSuffix(".backup") }, "\(archived)")
    XCTAssertGreaterThanOrEqual(archived.filter { $0.count == 24 }.count, 3, "\(archived)")

    // Recovery into a new folder: restore --to-time, then the server fetches WAL
    // through wal-fetch and stops at the target.
    let port = Servers.freePort()
    let restored = cli.folder + "/restored"
    let restore = cli.run(["restore", "--source", "pg", "--to-time", target, "--to", "restored/data"])
    XCTAssertEqual(restore.status, 0, restore.stderr)
    XCTAssertTrue(restore.text.contains("next: chown -R postgres"), restore.text)
    try cli.shellWithoutOutput(
      """
      set -e
      chown -R postgres \(restored)
      source \(Self.library)
      as_postgres "$(pg_bin)/pg_ctl" -D \(restored)/data -l \(restored)/server.log -w -t 60 \\
        -o "-p \(port) -k \(restored) -c listen_addresses=''" start
      """)
    defer { _ = try? cli.shell("source \(Self.library); pg_stop \(restored)") }
    let found = try cli.shell(
      "psql -AtX -h \(restored) -p \(port) -c \"select count(*) || ' ' || md5(string_agg(note, '' order by id)) from t\""
    )
    XCTAssertEqual(found, expected, "exactly the rows committed at \(target)")
    XCTAssertTrue(try cli.shell("cat \(restored)/server.log").contains("recovery stopping before commit"))

    // Pushing a file again: the same bytes succeed, other bytes fail and change nothing.
    let segment = try XCTUnwrap(archived.first { $0.count == 24 })
    XCTAssertEqual(cli.run(["wal-fetch", "--source", "pg", segment, "copy"]).status, 0)
    try cli.shell("mkdir -p again && cp copy again/\(segment)")
    XCTAssertEqual(cli.run(["wal-push", "--source", "pg", "again/\(segment)"]).status, 0)
    try cli.shell("printf 'x' | dd of=again/\(segment) bs=1 seek=100000 conv=notrunc 2>/dev/null")
    let changed = cli.run(["wal-push", "--source", "pg", "again/\(segment)"])
    XCTAssertEqual(changed.status, 1, changed.stderr)
    XCTAssertTrue(changed.stderr.contains("already archived with different bytes"), changed.stderr)
    XCTAssertEqual(cli.run(["wal-fetch", "--source", "pg", segment, "copy2"]).status, 0)
    XCTAssertEqual(try cli.shell("cmp copy copy2 && echo same"), "same")

    // A segment renamed, or from another cluster, is refused before it is stored.
    let next = String(segment.dropLast(1)) + (segment.last == "F" ? "0" : "F")
    try cli.shell("cp copy again/\(next)")
    XCTAssertEqual(cli.run(["wal-push", "--source", "pg", "again/\(next)"]).status, 2)
    XCTAssertFalse(FileManager.default.fileExists(atPath: cli.repository + "/wal/pg/" + next))
    try cli.shell(
      "cp copy \(server.dir)/data/other && printf 'zz' | dd of=\(server.dir)/data/other bs=1 seek=24 conv=notrunc 2>/dev/null"
    )
    let foreign = try cli.shell(
      "cd \(server.dir)/data && mkdir -p x && cp other x/\(segment) && \(CLI.binary) wal-push --config \(config) --source pg x/\(segment) 2>&1; echo \"status $?\""
    )
    XCTAssertTrue(
      foreign.contains("belongs to the cluster with system id") && foreign.hasSuffix("status 2"), foreign)

    // Not archived: 1 (recovery ends there). Damaged: 126 (recovery stops).
    let missing = cli.run(["wal-fetch", "--source", "pg", "00000001000000FF000000FF", "none"])
    XCTAssertEqual(missing.status, 1, missing.stderr)
    XCTAssertTrue(missing.stderr.contains("is not archived"), missing.stderr)
    try cli.flipByte("repo/wal/pg/" + segment, at: 5000)
    let damaged = cli.run(["wal-fetch", "--source", "pg", segment, "copy3"])
    XCTAssertEqual(damaged.status, 126, damaged.stderr)
    XCTAssertTrue(damaged.stderr.contains("fails authentication"), damaged.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: cli.folder + "/copy3"), "nothing half-written")

    // A segment lost from the archive after the base backup's start: refused by name.
    let start = String(try XCTUnwrap(archived.first { $0.hasSuffix(".backup") }).prefix(24))
    try cli.shell("psql -qX -c 'insert into t values (3000, null)'")
    try switchAndWait(cli)
    let segments = try cli.shell("ls repo/wal/pg").split(separator: "\n").map(String.init).filter {
      $0.count == 24
    }
    let lost = try XCTUnwrap(segments.first { $0 > start && $0 < segments.last! }, "\(segments)")
    try FileManager.default.removeItem(atPath: cli.repository + "/wal/pg/" + lost)
    let gap = cli.run(["restore", "--source", "pg", "--to-time", target, "--to", "gap"])
    XCTAssertEqual(gap.status, 2, gap.stderr)
    XCTAssertTrue(gap.stderr.contains("misses WAL segment \(lost)"), gap.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: cli.folder + "/gap"))
  }

  /// Switches to a new WAL segment and waits until the archiver has pushed it.
  func switchAndWait(_ cli: CLI) throws {
    let segment = try cli.shell("psql -AtX -c 'select pg_walfile_name(pg_switch_wal())'")
    for _ in 0..<300 {
      let last = try cli.shell(
        "psql -AtX -c \"select coalesce(last_archived_wal, '') from pg_stat_archiver\"")
      if last >= segment { return }
      Thread.sleep(forTimeInterval: 0.1)
    }
    let failed = try cli.shell("psql -AtX -c 'select last_failed_wal, failed_count from pg_stat_archiver'")
    XCTFail("\(segment) was not archived within 30 s (failures: \(failed))")
  }
}
