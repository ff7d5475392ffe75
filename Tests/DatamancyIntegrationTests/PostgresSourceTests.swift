import Foundation
import XCTest

/// The PostgreSQL source against a real server: stock pg_restore reads what we
/// stored, fingerprints cover every table, failures are items, not silence.
final class PostgresSourceTests: XCTestCase {
  var cli: CLI!
  var servers: Servers!
  var port = 0
  let rolePassword = "Pg-backup-S3cret"

  override func setUpWithError() throws {
    cli = try CLI()
    servers = Servers(cli: cli)
    addTeardownBlock { [servers] in servers?.stopAll() }
    let server = try servers.startPostgres()
    port = server.port
    cli.environment["PG_BACKUP_PASSWORD"] = rolePassword
    try cli.shell(
      """
      set -e
      psql -q -c "create role backup login superuser password '\(rolePassword)'"
      psql -q -c "alter system set password_encryption = 'scram-sha-256'"
      for db in grafana planka; do
        createdb $db
        psql -q -d $db -c "create table items(id int primary key, name text, body text);
          insert into items select i, 'item ' || i, repeat(md5(i::text), 20) from generate_series(1, 5000) i;
          create table empty_one(x int);"
      done
      """)
  }

  func configure(_ extra: String = "", databases: String = "all") throws {
    try cli.configure(
      sources: """
          postgres:
            type: postgres
            host: 127.0.0.1
            port: \(port)
            user: backup
            password: { env: PG_BACKUP_PASSWORD }
            databases: \(databases)
            exclude: [postgres]
        \(extra)
        """)
  }

  func items(_ set: [String: Any]) -> [String: [String: Any]] {
    Dictionary(uniqueKeysWithValues: (set["items"] as! [[String: Any]]).map { ($0["name"] as! String, $0) })
  }

  func backup() throws -> (status: Int32, set: [String: Any], output: String) {
    let result = cli.run(["backup", "--json"])
    let set = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] ?? [:]
    return (result.status, set, result.stderr)
  }

  func testEveryDatabaseRoundTripsThroughStockPgRestore() throws {
    try configure()
    try cli.initialize()
    let first = try backup()
    XCTAssertEqual(first.status, 0, first.output)
    let items = self.items(first.set)
    XCTAssertEqual(Set(items.keys), ["postgres/grafana", "postgres/planka", "postgres/globals"])
    // Fingerprints for every table, rows as loaded.
    let fingerprints = try XCTUnwrap(items["postgres/grafana"]?["fingerprints"] as? [[String: Any]])
    XCTAssertEqual(
      fingerprints.map { $0["table"] as! String }.sorted(), ["public.empty_one", "public.items"])
    XCTAssertEqual(fingerprints.first { $0["table"] as! String == "public.items" }!["rows"] as? Int, 5000)
    XCTAssertEqual(fingerprints.first { $0["table"] as! String == "public.empty_one" }!["rows"] as? Int, 0)
    // Stock pg_restore loads the stored item into a new database with equal rows.
    try cli.shell(
      """
      set -e
      \(CLI.binary) dump latest postgres/grafana > grafana.dump
      createdb grafana_restored
      pg_restore --exit-on-error -d grafana_restored grafana.dump
      """)
    let sum = "select count(*), md5(string_agg(id || name || body, ',' order by id)) from items"
    XCTAssertEqual(
      try cli.shell("psql -At -d grafana_restored -c \"\(sum)\""),
      try cli.shell("psql -At -d grafana -c \"\(sum)\""))
    XCTAssertTrue(try cli.shell("\(CLI.binary) dump latest postgres/globals").contains("CREATE ROLE backup"))

    // A new database is found; the unchanged ones store almost nothing new.
    try cli.shell(
      "createdb synapse && psql -q -d synapse -c 'create table t(x int); insert into t values (1)'")
    let second = try backup()
    XCTAssertEqual(second.status, 0, second.output)
    let again = self.items(second.set)
    XCTAssertNotNil(again["postgres/synapse"])
    XCTAssertNil(again["postgres/postgres"], "excluded")
    let raw = again["postgres/grafana"]!["rawBytes"] as! Int
    let stored = again["postgres/grafana"]!["storedBytes"] as! Int
    XCTAssertLessThan(stored, raw / 10, "unchanged database stored \(stored) of \(raw) bytes")
  }

  func testFailuresAreItemsWithClearMessagesAndNoPassword() throws {
    // A tool that exits 0 after writing only part of the archive.
    try cli.shell(
      """
      printf '#!/bin/sh\\npg_dump "$@" | head -c 3000\\nexit 0\\n' > short_pg_dump && chmod +x short_pg_dump
      """)
    let shortTool = cli.folder + "/short_pg_dump"
    try cli.configure(
      sources: """
          good:
            type: postgres
            host: 127.0.0.1
            port: \(port)
            user: backup
            password: { env: PG_BACKUP_PASSWORD }
            databases: [grafana]
            globals: false
          down: { type: postgres, host: 127.0.0.1, port: \(Servers.freePort()), user: backup, password: { env: PG_BACKUP_PASSWORD }, databases: [grafana], globals: false }
          wrongpw: { type: postgres, host: 127.0.0.1, port: \(port), user: backup, password: { env: WRONG_PW }, databases: [grafana], globals: false }
          missingdb: { type: postgres, host: 127.0.0.1, port: \(port), user: backup, password: { env: PG_BACKUP_PASSWORD }, databases: [nosuchdb], globals: false }
          notool: { type: postgres, host: 127.0.0.1, port: \(port), databases: [grafana], globals: false, tools: { pg_dump: /opt/nowhere/pg_dump } }
          cut: { type: postgres, host: 127.0.0.1, port: \(port), user: backup, password: { env: PG_BACKUP_PASSWORD }, databases: [planka], globals: false, tools: { pg_dump: \(shortTool) } }
        """)
    cli.environment["WRONG_PW"] = "Not-The-Right-One"
    try cli.initialize()
    let result = cli.run(["backup", "--verbose"])
    XCTAssertEqual(result.status, 3, result.text + result.stderr)
    let set = try cli.sets().last!
    let items = self.items(set)
    XCTAssertEqual(items["good/grafana"]!["status"] as? String, "ok")
    func error(_ name: String) -> String { items[name]!["error"] as? String ?? "" }
    XCTAssertTrue(
      error("down/grafana").contains("Connection refused") || error("down/grafana").contains("connection"),
      error("down/grafana"))
    XCTAssertTrue(
      error("wrongpw/grafana").contains("password authentication failed"), error("wrongpw/grafana"))
    XCTAssertTrue(error("missingdb/nosuchdb").contains("does not exist"), error("missingdb/nosuchdb"))
    XCTAssertTrue(error("notool/grafana").contains("postgresql-client"), error("notool/grafana"))
    XCTAssertTrue(error("cut/planka").contains("cut short"), error("cut/planka"))
    for text in [result.text, result.stderr, try cli.shell("\(CLI.binary) snapshots --json")] {
      XCTAssertFalse(text.contains(rolePassword))
      XCTAssertFalse(text.contains("Not-The-Right-One"))
    }
    XCTAssertEqual(
      try cli.shell("ls \(NSTemporaryDirectory()) | grep -c datamancy-secret || true"), "0",
      "password files removed")
  }

  func testPasswordNeverOnACommandLineDuringADump() throws {
    // A pg_dump that takes a second to start, so the scan sees its command line.
    try cli.shell(
      "printf '#!/bin/sh\\nsleep 1\\nexec pg_dump \"$@\"\\n' > slow_pg_dump && chmod +x slow_pg_dump")
    try configure("    tools: { pg_dump: \(cli.folder)/slow_pg_dump }")
    try cli.initialize()
    let process = cli.start(["backup"])
    var seen = ""
    for _ in 0..<60 where !seen.contains("slow_pg_dump") {
      seen = try cli.shell("cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '; true")
      Thread.sleep(forTimeInterval: 0.05)
    }
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0)
    XCTAssertTrue(seen.contains("slow_pg_dump"), "the scan saw a dump running")
    XCTAssertFalse(seen.contains(rolePassword))
  }

  func testToolsRunInsideTheContainer() throws {
    // A stand-in `docker`: drops "exec -i [-e NAME]... CONTAINER" and runs the rest.
    try cli.shell(
      """
      mkdir -p bin
      cat > bin/docker <<'SH'
      #!/bin/sh
      echo "$@" >> "$(dirname "$0")/docker.log"
      [ "$1" = exec ] || exit 64
      shift
      while [ "$#" -gt 0 ]; do
        case "$1" in -i) shift ;; -e) shift 2 ;; *) break ;; esac
      done
      shift
      exec "$@"
      SH
      chmod +x bin/docker
      """)
    cli.environment["PATH"] = cli.folder + "/bin:" + (cli.environment["PATH"] ?? "")
    try configure("    container: postgres-1")
    try cli.initialize()
    let result = try backup()
    XCTAssertEqual(result.status, 0, result.output)
    let log = try cli.shell("cat bin/docker.log")
    XCTAssertTrue(log.contains("exec -i -e PGCONNECT_TIMEOUT -e PGPASSWORD postgres-1 pg_dump"), log)
    XCTAssertFalse(log.contains(rolePassword))
    XCTAssertEqual(items(result.set)["postgres/grafana"]!["status"] as? String, "ok")
  }

  /// A timer starts the job with no shell environment: only the credentials
  /// `schedule install` stored. The repository and database passwords both come
  /// from variables, as in the README's example.
  func testAScheduledUnitBacksUpWithOnlyItsCredentials() throws {
    cli.environment["DATAMANCY_BACKUP_PASSWORD"] = nil
    cli.environment["REPO_PW"] = cli.password
    try cli.configure(
      sources: """
          pg: { type: postgres, host: 127.0.0.1, port: \(port), user: backup, password: { env: PG_BACKUP_PASSWORD }, databases: [grafana], globals: false }
        """, extra: "  password: { env: REPO_PW }")
    try cli.initialize()
    try FileManager.default.createDirectory(atPath: cli.folder + "/root", withIntermediateDirectories: true)

    // A variable the configuration reads that is not set: refused, naming it; nothing written.
    let missing = cli.run(
      ["schedule", "install", "--root", "root", "--binary", CLI.binary],
      environment: ["PG_BACKUP_PASSWORD": ""])
    XCTAssertEqual(missing.status, 2, missing.stderr)
    XCTAssertTrue(missing.stderr.contains("sources.pg.password reads PG_BACKUP_PASSWORD"), missing.stderr)
    XCTAssertEqual(try cli.shell("find root | sort"), "root")

    let install = cli.run(["schedule", "install", "--root", "root", "--binary", CLI.binary])
    XCTAssertEqual(install.status, 0, install.stderr)
    let credentials = cli.folder + "/root/etc/datamancy-backup/credentials"
    XCTAssertEqual(
      try cli.shell("cd \(credentials) && stat -c '%a %n' * | sort"), "600 PG_BACKUP_PASSWORD\n600 REPO_PW")
    XCTAssertEqual(try cli.shell("stat -c %a \(credentials)"), "700")
    let units = cli.folder + "/root/etc/systemd/system"
    let service = try String(contentsOfFile: units + "/datamancy-backup.service", encoding: .utf8)
    XCTAssertTrue(
      service.contains("LoadCredential=REPO_PW:/etc/datamancy-backup/credentials/REPO_PW"), service)
    XCTAssertFalse(service.contains(rolePassword) || service.contains(cli.password), "no secret in a unit")

    // The job as systemd runs it: env -i, CREDENTIALS_DIRECTORY, the ExecStart line.
    let exec = try cli.shell("sed -n 's/^ExecStart=//p' \(units)/datamancy-backup.service")
    let path = cli.environment["PATH"] ?? "/usr/bin:/bin"
    let ran = try cli.shell(
      "cd / && env -i PATH='\(path)' CREDENTIALS_DIRECTORY=\(credentials) \(exec) >/dev/null 2>&1; echo $?")
    XCTAssertEqual(ran, "0")
    let sets = try cli.sets()
    XCTAssertEqual(sets.count, 1)
    XCTAssertEqual(sets.first?["status"] as? String, "complete", "\(sets)")
  }
}
