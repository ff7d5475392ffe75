import Foundation
import XCTest

/// A `postgres_pitr` cluster lost with its host comes back whole to a point in
/// time through `recover --to-time`, archives again into the same source (the
/// new timeline's history included), and the next backup and status find no gap.
final class RecoverPointInTimeTests: XCTestCase {
  func testTheClusterComesBackToAPointInTimeAndArchivesAgain() throws {
    let cli = try CLI()
    cli.environment["DATAMANCY_STATE_DIR"] = cli.folder + "/state"
    let servers = Servers(cli: cli)
    defer { servers.stopAll() }
    let server = try servers.startPostgres()
    let config = cli.folder + "/datamancy-backup.yml"
    let connection = "socket: \(server.dir), port: \(server.port), user: postgres"
    try cli.configure(
      sources: """
            postgres: { type: postgres, \(connection) }
            cluster: { type: postgres_pitr, \(connection) }
        """)
    try cli.initialize()
    // The server runs as postgres: its archive_command writes the repository.
    try cli.shell(
      """
      set -e
      chown -R postgres repo
      psql -qX -c "create role app login password 'App-Pw-1'" -c "create database appdb owner app"
      psql -qX -c "revoke connect on database appdb from public" -c "grant connect on database appdb to app" \
        -c "alter database appdb set work_mem = '8MB'" -c "alter role app in database appdb set search_path = app, public"
      psql -qX -d appdb -U app -c "create schema app; create table app.notes(id int primary key, body text)" \
        -c "insert into app.notes select i, 'note ' || i from generate_series(1, 500) i"
      psql -qX -c "alter system set archive_mode = on" \
        -c "alter system set archive_command = '\(CLI.binary) wal-push --config \(config) --source cluster %p'"
      """)
    try cli.shellWithoutOutput(
      """
      set -e
      source \(WALArchiveTests.library)
      as_postgres "$(pg_bin)/pg_ctl" -D \(server.dir)/data -l \(server.dir)/server.log -w -m fast restart
      """)
    try WALArchiveTests.switchAndWait(cli)
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 0, backup.stderr + backup.text)

    // Commits after the backup: one before T, one after it.
    try cli.shell(
      "psql -qX -d appdb -c \"insert into app.notes select i, 'later ' || i from generate_series(501, 600) i\""
    )
    let time = try cli.shell(
      "psql -AtX -c \"select to_char(clock_timestamp() at time zone 'utc', 'YYYY-MM-DD\\\"T\\\"HH24:MI:SS.MS\\\"Z\\\"')\""
    )
    let state = """
      psql -AtX -c "select datname, pg_get_userbyid(datdba), array(select unnest(datacl)::text order by 1) from pg_database where datname = 'appdb'"
      psql -AtX -c "select coalesce(d.datname, '-'), coalesce(r.rolname, '-'), s.setconfig from pg_db_role_setting s left join pg_database d on d.oid = s.setdatabase left join pg_roles r on r.oid = s.setrole order by 1, 2"
      psql -AtX -c "select rolname, rolpassword from pg_authid where rolname = 'app'"
      psql -AtX -d appdb -c "select count(*), md5(string_agg(body, ',' order by id)) from app.notes"
      """
    let atTime = try cli.shell(state)
    try cli.shell("psql -qX -d appdb -c 'delete from app.notes where id <= 100'")
    try WALArchiveTests.switchAndWait(cli)
    XCTAssertNotEqual(try cli.shell(state), atTime)

    // The host is lost: the data folder, the configuration and the state; an
    // empty server is started on the same port.
    servers.stopAll()
    for lost in ["postgres", "datamancy-backup.yml", "state"] {
      try? FileManager.default.removeItem(atPath: cli.folder + "/" + lost)
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: server.dir))
    _ = try servers.start("postgres", port: server.port)
    XCTAssertEqual(
      cli.run(["config", "restore", "--repo", cli.repository, "--to", "datamancy-backup.yml"]).status, 0)

    // The server's restore_command reads the configuration as the server's user: a
    // file it cannot read is found before the server is stopped, and nothing changes.
    let unreadable = cli.run(["recover", "--yes", "--to-time", time])
    XCTAssertEqual(unreadable.status, 8, unreadable.text)
    XCTAssertTrue(unreadable.text.contains("cannot fetch WAL through its restore_command"), unreadable.text)
    XCTAssertEqual(try cli.shell("psql -AtX -c 'select count(*) from pg_database'"), "3")
    try cli.shell("chown postgres datamancy-backup.yml")

    let recovery = cli.run(["recover", "--yes", "--to-time", time, "--json"])
    XCTAssertEqual(recovery.status, 0, recovery.stderr + recovery.text)
    let items = try XCTUnwrap(
      (try JSONSerialization.jsonObject(with: recovery.stdout) as? [String: Any])?["items"]
        as? [[String: Any]])
    let outcomes = Dictionary(uniqueKeysWithValues: items.map { ($0["item"] as! String, $0) })
    XCTAssertEqual(outcomes["cluster/cluster"]?["outcome"] as? String, "restored", recovery.text)
    // The dumps of the same server would overwrite the point in time: left out.
    for name in ["postgres/globals", "postgres/appdb"] {
      XCTAssertEqual(outcomes[name]?["outcome"] as? String, "covered", "\(name): \(recovery.text)")
      XCTAssertTrue((outcomes[name]?["reason"] as? String ?? "").contains("whole cluster of cluster"))
    }
    XCTAssertEqual(try cli.shell(state), atTime)

    // Archiving is on again and the new timeline's history is in the archive.
    XCTAssertEqual(try cli.shell("psql -AtX -c 'show archive_mode'"), "on")
    XCTAssertTrue(FileManager.default.fileExists(atPath: cli.repository + "/wal/cluster/00000002.history"))
    let next = cli.run(["backup"])
    XCTAssertEqual(next.status, 0, next.stderr + next.text)
    let status = cli.run(["status"])
    XCTAssertEqual(status.status, 0, status.text + status.stderr)

    // Run again: the cluster is the backup's, promoted and archiving: kept.
    let again = cli.run(["recover", "--yes", "--to-time", time, "--json"])
    XCTAssertEqual(again.status, 0, again.stderr + again.text)
    XCTAssertTrue(again.text.contains("\"already restored\""), again.text)
    XCTAssertEqual(try cli.shell(state), atTime)

    // drill --cluster recovers the cluster onto a private server started by pg_ctl
    // (and the dumps onto another), which never archives into the source, and
    // leaves nothing behind.
    try FileManager.default.createDirectory(atPath: cli.folder + "/tmp", withIntermediateDirectories: false)
    let drill = cli.run(["drill", "--cluster", "--json"], environment: ["TMPDIR": cli.folder + "/tmp"])
    XCTAssertEqual(drill.status, 0, drill.stderr + drill.text)
    let drilled = try XCTUnwrap(
      (try JSONSerialization.jsonObject(with: drill.stdout) as? [String: Any])?["items"] as? [[String: Any]])
    XCTAssertTrue(drilled.allSatisfy { $0["outcome"] as? String == "restored" }, drill.text)
    XCTAssertTrue(
      Set(drilled.compactMap { $0["item"] as? String }).isSuperset(of: [
        "cluster/cluster", "postgres/globals", "postgres/appdb",
      ]), drill.text)
    XCTAssertFalse(FileManager.default.fileExists(atPath: cli.repository + "/wal/cluster/00000003.history"))
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cli.folder + "/tmp"), [])
    XCTAssertEqual(try cli.shell("pgrep -f 'datamancy-dril[l]' || [ $? -eq 1 ]"), "", "stand-ins still run")
    XCTAssertEqual(try cli.shell(state), atTime)
  }
}
