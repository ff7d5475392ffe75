import Foundation
import XCTest

/// PostgreSQL's WAL archived through `wal-push` (its archive_command) and read back
/// by `wal-fetch` (its restore_command): a base backup plus the archive recovers a
/// real PostgreSQL to a point in time; damage stops recovery; re-pushes are checked.
final class WALArchiveTests: XCTestCase {
  static let library =
    URL(fileURLWithPath: Servers.script).deletingLastPathComponent().path + "/lib/postgres.sh"

  /// A PostgreSQL 15 whose archive_command is wal-push into a new repository
  /// (refused by backup while archiving is off), with the table `t`.
  /// The servers object owns the server: it stops it when released.
  func archivingServer(_ cli: CLI) throws -> (
    servers: Servers, server: (port: Int, dir: String), config: String
  ) {
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
    // The server runs as postgres: it must write the repository (the password
    // comes from its environment, inherited from the test's).
    try cli.shell(
      """
      set -e
      chown -R postgres repo
      psql -qX -c "alter system set archive_mode = on" -c "alter system set archive_command = '\(pushCommand(config))'"
      """)
    // A daemon started from a shell whose output the test reads would hold it open.
    try cli.shellWithoutOutput(
      """
      set -e
      source \(Self.library)
      as_postgres "$(pg_bin)/pg_ctl" -D \(server.dir)/data -l \(server.dir)/server.log -w -m fast restart
      """)
    return (servers, server, config)
  }

  func pushCommand(_ config: String) -> String { "\(CLI.binary) wal-push --config \(config) --source pg %p" }

  func testArchiveAndRecoverToAPointInTime() throws {
    let cli = try CLI()
    let (servers, server, config) = try archivingServer(cli)
    defer { withExtendedLifetime(servers) {} }
    try cli.shell(
      """
      psql -qX -c "create table t(id int primary key, note text)" \
        -c "insert into t select i, md5(i::text) from generate_series(1, 1000) i"
      """)
    try Self.switchAndWait(cli)

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
    try Self.switchAndWait(cli)
    XCTAssertEqual(try cli.shell("psql -AtX -c 'select failed_count from pg_stat_archiver'"), "0")
    let archived = try cli.shell("ls repo/wal/pg").split(separator: "\n").map(String.init)
    XCTAssertTrue(archived.contains { $0.hasSuffix(".backup") }, "\(archived)")
    XCTAssertGreaterThanOrEqual(archived.filter { $0.count == 24 }.count, 3, "\(archived)")

    // A dry run says what recovery would use and writes nothing.
    let dry = cli.run([
      "restore", "--source", "pg", "--to-time", target, "--to", "restored/data", "--dry-run",
    ])
    XCTAssertEqual(dry.status, 0, dry.stderr)
    XCTAssertTrue(dry.text.contains("would restore the base backup of set"), dry.text)
    XCTAssertTrue(dry.text.contains("recovery would read"), dry.text)
    XCTAssertFalse(
      FileManager.default.fileExists(atPath: cli.folder + "/restored"), "the dry run wrote nothing")

    // Recovery into a new folder: restore --to-time, then the server fetches WAL
    // through wal-fetch and stops at the target.
    let restore = cli.run(["restore", "--source", "pg", "--to-time", target, "--to", "restored/data"])
    XCTAssertEqual(restore.status, 0, restore.stderr)
    XCTAssertTrue(restore.text.contains("next: chown -R postgres"), restore.text)
    let restored = cli.folder + "/restored"
    let port = try startRecovered(cli, restored)
    defer { _ = try? cli.shell("source \(Self.library); pg_stop \(restored)") }
    let found = try rows(cli, restored, port)
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
    try Self.switchAndWait(cli)
    let segments = try cli.shell("ls repo/wal/pg").split(separator: "\n").map(String.init).filter {
      $0.count == 24
    }
    let lost = try XCTUnwrap(segments.first { $0 > start && $0 < segments.last! }, "\(segments)")
    try FileManager.default.removeItem(atPath: cli.repository + "/wal/pg/" + lost)
    let gap = cli.run(["restore", "--source", "pg", "--to-time", target, "--to", "gap"])
    XCTAssertEqual(gap.status, 2, gap.stderr)
    XCTAssertTrue(gap.stderr.contains("misses WAL segment \(lost)"), gap.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: cli.folder + "/gap"))
    // verify names the gap.
    let verify = cli.run(["verify"])
    XCTAssertEqual(verify.status, 5, verify.text + verify.stderr)
    XCTAssertTrue(verify.text.contains("misses \(lost)"), verify.text)
  }

  /// Starts PostgreSQL on a data folder `restore` wrote (FOLDER/data), on a free
  /// port with its socket in FOLDER, and waits until it accepts connections.
  func startRecovered(_ cli: CLI, _ folder: String, settings: String = "") throws -> Int {
    let port = Servers.freePort()
    try cli.shellWithoutOutput(
      """
      set -e
      printf '%s' "\(settings)" >> \(folder)/data/postgresql.auto.conf
      chown -R postgres \(folder)
      source \(Self.library)
      as_postgres "$(pg_bin)/pg_ctl" -D \(folder)/data -l \(folder)/server.log -w -t 60 \\
        -o "-p \(port) -k \(folder) -c listen_addresses=''" start
      """)
    // Connections are accepted during recovery (hot standby): wait for the promotion.
    XCTAssertTrue(
      try waitUntil {
        try cli.shell("psql -AtX -h \(folder) -p \(port) -c 'select pg_is_in_recovery()'") == "f"
      }, "\(folder) was not promoted")
    return port
  }

  /// `COUNT MD5` of the table t.
  func rows(_ cli: CLI, _ host: String? = nil, _ port: Int? = nil) throws -> String {
    let connection = host.map { "-h \($0) -p \(port!)" } ?? ""
    return try cli.shell(
      "psql -AtX \(connection) -c \"select count(*) || ' ' || md5(string_agg(note, '' order by id)) from t\"")
  }

  /// Recovery to a WAL position and past a promotion (a timeline), status and
  /// metrics of the archive, a drill of the base backup, and WAL retention.
  func testTimelinesDrillStatusAndRetention() throws {
    let cli = try CLI()
    let (servers, _, config) = try archivingServer(cli)
    defer { withExtendedLifetime(servers) {} }
    try cli.shell(
      """
      psql -qX -c "create table t(id int primary key, note text)" \
        -c "insert into t select i, md5(i::text) from generate_series(1, 1000) i"
      """)
    try Self.switchAndWait(cli)
    let first = cli.run(["backup"])
    XCTAssertEqual(first.status, 0, first.stderr + first.text)
    try cli.shell("psql -qX -c \"insert into t select i, md5(i::text) from generate_series(1001, 1500) i\"")
    let position = try cli.shell("psql -AtX -c 'select pg_current_wal_insert_lsn()'")
    let atPosition = try rows(cli)
    try cli.shell("psql -qX -c \"insert into t select i, md5(i::text) from generate_series(1501, 2000) i\"")
    try Self.switchAndWait(cli)
    let all = try rows(cli)

    // status: the window, no failure, no gap; verify: the WAL is continuous.
    let status = cli.run(["--json", "status"])
    XCTAssertEqual(status.status, 0, status.text + status.stderr)
    let wal = try XCTUnwrap(
      (try JSONSerialization.jsonObject(with: Data(status.text.utf8)) as? [String: Any])?["wal"]
        as? [[String: Any]])
    XCTAssertEqual(wal.count, 1)
    XCTAssertNotNil(wal[0]["windowStart"])
    XCTAssertNotNil(wal[0]["windowEnd"])
    XCTAssertEqual(wal[0]["failedPushes"] as? Int, 0)
    XCTAssertEqual((wal[0]["gaps"] as? [Any])?.count, 0)
    XCTAssertTrue(cli.run(["status"]).text.contains("WAL pg: recoverable "))
    let verify = cli.run(["verify"])
    XCTAssertEqual(verify.status, 0, verify.text + verify.stderr)
    XCTAssertTrue(verify.text.contains("WAL continuous from the oldest base backup"), verify.text)

    // A WAL position: exactly the rows written before it.
    let byPosition = cli.run(["restore", "--source", "pg", "--to-lsn", position, "--to", "lsn/data"])
    XCTAssertEqual(byPosition.status, 0, byPosition.stderr)
    let lsnPort = try startRecovered(cli, cli.folder + "/lsn")
    XCTAssertEqual(try rows(cli, cli.folder + "/lsn", lsnPort), atPosition)
    _ = try cli.shell("source \(Self.library); pg_stop \(cli.folder)/lsn")
    let late = cli.run(["restore", "--source", "pg", "--to-time", "2099-01-01T00:00:00Z", "--to", "late"])
    XCTAssertEqual(late.status, 2, late.stderr)
    XCTAssertTrue(
      late.stderr.contains("is after the end of the archive: the recoverable window is"), late.stderr)

    // A drill recovers to a random time in the window, and leaves nothing behind.
    let scratch = cli.folder + "/tmp"
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false)
    let drill = cli.run(["drill", "--item", "pg/cluster"], environment: ["TMPDIR": scratch])
    XCTAssertEqual(drill.status, 0, drill.text + drill.stderr)
    XCTAssertTrue(drill.text.contains("recovered to 20"), drill.text)
    XCTAssertTrue(drill.text.contains("postgres") && drill.text.contains("answers"), drill.text)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch), [])
    XCTAssertFalse(try cli.shell("ps -eo args").contains("datamancy-drill-pitr-"), "a scratch server is left")

    // A promoted copy archives into the same source on timeline 2; recovery to
    // the end of the archive follows it through 00000002.history.
    let promoted = cli.folder + "/promoted"
    XCTAssertEqual(
      cli.run(["restore", "--source", "pg", "--to-time", "latest", "--to", "promoted/data"]).status, 0)
    let promotedPort = try startRecovered(
      cli, promoted, settings: "archive_mode = on\narchive_command = '\(pushCommand(config))'\n")
    XCTAssertEqual(try rows(cli, promoted, promotedPort), all)
    try cli.shell(
      """
      psql -qX -h \(promoted) -p \(promotedPort) \
        -c "insert into t select i, md5(i::text) from generate_series(5001, 5100) i" \
        -c "select pg_switch_wal()"
      """)
    let onTimeline2 = try rows(cli, promoted, promotedPort)
    XCTAssertTrue(
      try waitUntil { FileManager.default.fileExists(atPath: cli.repository + "/wal/pg/00000002.history") })
    XCTAssertTrue(
      try waitUntil {
        try cli.shell(
          "psql -AtX -h \(promoted) -p \(promotedPort) -c 'select archived_count from pg_stat_archiver'")
          >= "2"
      })
    _ = try cli.shell("source \(Self.library); pg_stop \(promoted)")
    let followed = cli.run(["restore", "--source", "pg", "--to-time", "latest", "--to", "followed/data"])
    XCTAssertEqual(followed.status, 0, followed.stderr)
    XCTAssertTrue(followed.text.contains("on timeline 2"), followed.text)
    let followedPort = try startRecovered(cli, cli.folder + "/followed")
    XCTAssertEqual(try rows(cli, cli.folder + "/followed", followedPort), onTimeline2)
    _ = try cli.shell("source \(Self.library); pg_stop \(cli.folder)/followed")

    // Two clusters pushing one name: a conflict, shown by status and the metrics.
    let segment = try XCTUnwrap(
      try cli.shell("ls repo/wal/pg").split(separator: "\n").map(String.init).first { $0.count == 24 })
    try cli.shell(
      "mkdir -p again && \(CLI.binary) wal-fetch --config \(config) --source pg \(segment) again/\(segment)"
    )
    try cli.shell("printf 'x' | dd of=again/\(segment) bs=1 seek=100000 conv=notrunc 2>/dev/null")
    // A key for archive_command: a random password, a cheap scrypt (tried first).
    XCTAssertEqual(cli.run(["key", "add", "--kdf-cost", "1000"]).status, 2)
    let walPassword = String(repeating: "k7", count: 22)
    let key = cli.run(
      ["key", "add", "--kdf-cost", "1024"], environment: ["DATAMANCY_BACKUP_NEW_PASSWORD": walPassword])
    XCTAssertEqual(key.status, 0, key.stderr)
    XCTAssertFalse(key.stderr.contains("warning"), key.stderr)
    let conflicting = cli.run(
      ["wal-push", "--source", "pg", "again/\(segment)"],
      environment: ["DATAMANCY_BACKUP_PASSWORD": walPassword])
    XCTAssertEqual(conflicting.status, 1, conflicting.stderr)
    XCTAssertTrue(conflicting.stderr.contains("already archived with different bytes"), conflicting.stderr)
    let failing = cli.run(["status", "--prometheus", "metrics.prom"])
    XCTAssertEqual(failing.status, 7, failing.text)
    XCTAssertTrue(failing.text.contains("1 FAILED PUSHES"), failing.text)
    XCTAssertTrue(
      try cli.shell("cat metrics.prom").contains("datamancy_wal_failed_pushes{source=\"pg\"} 1"))

    // Retention: with the first base backup forgotten, the prune of
    // `forget --prune` (the same as `prune`'s) deletes the WAL before the second
    // one's start, and recovery from the second still works.
    let second = cli.run(["backup"])
    XCTAssertEqual(second.status, 0, second.stderr + second.text)
    // The sets: the refused first attempt (failed) and the two base backups.
    XCTAssertEqual(try cli.sets().filter { $0["status"] as? String == "complete" }.count, 2)
    let prune = cli.run(["forget", "--keep-latest", "1", "--prune"])
    XCTAssertEqual(prune.status, 0, prune.stderr)
    XCTAssertTrue(prune.text.contains("older than the oldest kept base backup, which starts at "), prune.text)
    let start = try XCTUnwrap(prune.text.components(separatedBy: "which starts at ").last?.prefix(24))
    let left = try cli.shell("ls repo/wal/pg").split(separator: "\n").map(String.init)
    XCTAssertFalse(left.contains { $0.count == 24 && $0.dropFirst(8) < start.dropFirst(8) }, "\(left)")
    let after = cli.run(["restore", "--source", "pg", "--to-time", "latest", "--to", "after/data"])
    XCTAssertEqual(after.status, 0, after.stderr)
    let afterPort = try startRecovered(cli, cli.folder + "/after")
    XCTAssertEqual(try rows(cli, cli.folder + "/after", afterPort), all)
    _ = try cli.shell("source \(Self.library); pg_stop \(cli.folder)/after")

    // A damaged segment that recovery needs: either the restore finds it first
    // (reading the archive's state reads the newest segment by name to learn the
    // segment size: this one, while no timeline-2 segment is archived) and refuses
    // as damage, or wal-fetch exits 126 and recovery stops there (FATAL), instead
    // of ending early and promoting. Never a recovered server.
    let newest = try XCTUnwrap(left.filter { $0.count == 24 && $0.hasPrefix("00000001") }.max())
    try cli.flipByte("repo/wal/pg/" + newest, at: 200)
    let damaged = cli.run(["restore", "--source", "pg", "--to-time", "latest", "--to", "damaged/data"])
    if damaged.status == 4 {
      XCTAssertTrue(damaged.stderr.contains("'wal/pg/\(newest)' is damaged"), damaged.stderr)
      XCTAssertFalse(FileManager.default.fileExists(atPath: cli.folder + "/damaged/data"))
      return
    }
    XCTAssertEqual(damaged.status, 0, damaged.stderr)
    XCTAssertThrowsError(try startRecovered(cli, cli.folder + "/damaged"))
    let log = try cli.shell("cat damaged/server.log")
    // PostgreSQL names status 126 as the shell does: "command not executable".
    XCTAssertTrue(
      log.contains("could not restore file \"\(newest)\" from archive: command not executable"), log)
    XCTAssertFalse(log.contains("selected new timeline ID"), "recovery must not promote past damage")
  }

  func waitUntil(seconds: Double = 30, _ probe: () throws -> Bool) throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if try probe() { return true }
      Thread.sleep(forTimeInterval: 0.2)
    }
    return try probe()
  }

  /// Switches to a new WAL segment and waits until the archiver has pushed it.
  static func switchAndWait(_ cli: CLI) throws {
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
