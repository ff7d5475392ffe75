import Foundation
import XCTest

/// The host is lost: with the repository, its password and the secrets, `config
/// restore` and one `recover` bring back every engine onto new, empty servers,
/// and prove it.
final class RecoverTests: XCTestCase {
  var cli: CLI!
  var servers: Servers!
  var ports: [String: Int] = [:]

  override func setUpWithError() throws {
    cli = try CLI()
    servers = Servers(cli: cli)
    cli.environment["DATAMANCY_STATE_DIR"] = cli.folder + "/state"
    // Scratch folders and stand-in servers go here, where the test can see what is left.
    try FileManager.default.createDirectory(atPath: cli.folder + "/tmp", withIntermediateDirectories: true)
    cli.environment["TMPDIR"] = cli.folder + "/tmp"
  }

  override func tearDown() {
    servers.stopAll()
    servers = nil
  }

  var maria: String { "mariadb --no-defaults --socket=\(cli.folder)/mariadb/mysqld.sock -uroot" }
  var ldapURL: String { "ldap://127.0.0.1:\(ports["slapd"]!)/" }

  /// Starts every engine empty in its own folder, on the ports of the first start.
  func startServers() throws {
    let postgres = try servers.start("postgres", port: ports["postgres"])
    ports["postgres"] = postgres.port
    cli.environment["PGHOST"] = postgres.dir
    cli.environment["PGPORT"] = String(postgres.port)
    cli.environment["PGUSER"] = "postgres"
    for engine in ["mariadb", "redis"] {
      ports[engine] = try servers.start(engine, port: ports[engine]).port
    }
    ports["slapd"] = try servers.start("slapd", password: "Ldap-S3cret", port: ports["slapd"]).port
  }

  func seed() throws {
    try cli.shell(
      """
      set -e
      psql -q -c "create role app login password 'App-Pw-1'"
      psql -q -c "create database appdb owner app"
      psql -q -c "revoke connect on database appdb from public" -c "grant connect on database appdb to app" \
        -c "alter database appdb set work_mem = '8MB'" -c "alter role app in database appdb set search_path = app, public"
      psql -q -d appdb -U app -c "create schema app; create table app.notes(id int primary key, body text)"
      psql -q -d appdb -U app -c "insert into app.notes select i, 'note ' || i from generate_series(1, 500) i"
      psql -q -c "create database shop"
      psql -q -d shop -c "create table items(id int primary key, name text)" \
        -c "insert into items select i, md5(i::text) from generate_series(1, 3000) i"
      \(maria) -e "create database books; create table books.pages(id int primary key, body text)"
      \(maria) books -e "insert into pages select seq, concat('page ', seq) from seq_1_to_1500"
      \(maria) -e "create user 'reader'@'localhost' identified by 'Reader-Pw-1'; grant select on books.* to 'reader'@'localhost'"
      seq 1 400 | awk '{ print "SET key:" $1 " value:" $1 }' | redis-cli -p \(ports["redis"]!) > /dev/null
      redis-cli -p \(ports["redis"]!) -n 3 HSET user:1 name ada > /dev/null
      printf 'Ldap-S3cret' > ldap-pw
      {
        printf 'dn: dc=datamancy,dc=test\\nobjectClass: dcObject\\nobjectClass: organization\\ndc: datamancy\\no: D\\n\\n'
        printf 'dn: ou=people,dc=datamancy,dc=test\\nobjectClass: organizationalUnit\\nou: people\\n\\n'
        for i in $(seq 1 40); do
          printf 'dn: uid=user%d,ou=people,dc=datamancy,dc=test\\nobjectClass: inetOrgPerson\\nuid: user%d\\ncn: User %d\\nsn: %d\\nuserPassword: pw%d\\n\\n' $i $i $i $i $i
        done
      } | ldapadd -x -H \(ldapURL) -D cn=admin,dc=datamancy,dc=test -y ldap-pw > /dev/null
      mkdir -p "vol/web data/sub" "vol/état"
      head -c 300000 /dev/urandom > "vol/web data/big.bin"
      echo hello > "vol/web data/sub/hello.txt"
      chmod 0640 "vol/web data/sub/hello.txt"
      chown -R 1234:5678 "vol/web data"
      echo config > "vol/état/app.conf"
      setfattr -n user.origin -v backup "vol/état/app.conf"
      ln -s ../web\\ data/sub/hello.txt "vol/état/link"
      """)
  }

  /// What the tests compare before the loss and after the recovery.
  func state() throws -> String {
    try cli.shell(
      """
      set -e
      psql -AtX -c "select datname, pg_get_userbyid(datdba), array(select unnest(datacl)::text order by 1) from pg_database where datname in ('appdb', 'shop') order by 1"
      psql -AtX -c "select coalesce(d.datname, '-'), coalesce(r.rolname, '-'), s.setconfig from pg_db_role_setting s left join pg_database d on d.oid = s.setdatabase left join pg_roles r on r.oid = s.setrole order by 1, 2"
      psql -AtX -c "select rolname, rolpassword from pg_authid where rolname = 'app'"
      psql -AtX -d appdb -c "select count(*), md5(string_agg(body, ',' order by id)) from app.notes"
      psql -AtX -d shop -c "select count(*), md5(string_agg(name, ',' order by id)) from items"
      \(maria) -N -e "select count(*), sum(crc32(body)) from books.pages"
      mariadb --no-defaults --socket=\(cli.folder)/mariadb/mysqld.sock -ureader -pReader-Pw-1 -N -e "select count(*) from books.pages"
      redis-cli -p \(ports["redis"]!) get key:77
      redis-cli -p \(ports["redis"]!) -n 3 hget user:1 name
      redis-cli -p \(ports["redis"]!) info keyspace | grep ^db | cut -d, -f1
      ldapsearch -x -LLL -H \(ldapURL) -D cn=admin,dc=datamancy,dc=test -y ldap-pw -b dc=datamancy,dc=test "(uid=user7)" entryUUID createTimestamp userPassword | sort
      ldapsearch -x -LLL -H \(ldapURL) -D cn=admin,dc=datamancy,dc=test -y ldap-pw -b dc=datamancy,dc=test dn | grep -c ^dn
      cd vol && find . -printf '%p %y %m %U:%G %s\\n' | sort && find . -type f -print0 | sort -z | xargs -0 sha256sum
      getfattr -n user.origin --only-values "état/app.conf"
      """)
  }

  func sources() -> String {
    """
        postgres: { type: postgres, socket: \(cli.folder)/postgres, port: \(ports["postgres"]!), user: postgres }
        mariadb: { type: mariadb, socket: \(cli.folder)/mariadb/mysqld.sock, user: root }
        redis: { type: redis, host: 127.0.0.1, port: \(ports["redis"]!) }
        ldap:
          type: ldap
          method: slapcat
          config: \(cli.folder)/slapd/slapd.conf
          base: "dc=datamancy,dc=test"
          url: \(ldapURL)
          bind_dn: "cn=admin,dc=datamancy,dc=test"
          password: { file: \(cli.folder)/ldap-pw }
        volumes: { type: files, paths: ["\(cli.folder)/vol/web data", "\(cli.folder)/vol/état"] }
    """
  }

  /// Everything but the repository, its password and the secrets is lost; empty
  /// servers are started on the same ports.
  func loseTheHost() throws {
    servers.stopAll()
    for lost in ["postgres", "mariadb", "redis", "slapd", "vol", "datamancy-backup.yml", "state"] {
      try? FileManager.default.removeItem(atPath: cli.folder + "/" + lost)
    }
    try startServers()
  }

  func recover(_ arguments: [String]) throws -> (status: Int32, items: [String: [String: Any]], text: String)
  {
    let result = cli.run(["recover", "--json"] + arguments)
    let report = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
      result.stderr + result.text)
    let items = try XCTUnwrap(report["items"] as? [[String: Any]])
    return (
      result.status, Dictionary(uniqueKeysWithValues: items.map { ($0["item"] as! String, $0) }),
      result.stderr + result.text
    )
  }

  func testTheWholeClusterComesBackFromTheRepositoryAlone() throws {
    try startServers()
    try seed()
    try cli.configure(sources: sources())
    try cli.initialize()
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 0, backup.stderr)
    let before = try state()
    // Each database records the server's version (and its definition, proven by the owners and ACLs below).
    let appdb = try XCTUnwrap(try cli.sets().first?["items"] as? [[String: Any]]).first {
      $0["name"] as? String == "postgres/appdb"
    }
    let version = try cli.shell("psql -AtX -c 'show server_version'").split(separator: " ").first
    XCTAssertEqual(appdb?["serverVersion"] as? String, version.map(String.init))
    // Changes after the backup are not what comes back.
    try cli.shell("psql -q -d shop -c 'delete from items where id > 100'")

    try loseTheHost()
    let restored = cli.run(["config", "restore", "--repo", cli.repository, "--to", "datamancy-backup.yml"])
    XCTAssertEqual(restored.status, 0, restored.stderr)

    // The plan changes nothing: the repository and the servers stay as they are.
    let repositoryBefore = try cli.shell("cd \(cli.repository) && find . -type f | sort | xargs sha256sum")
    let plan = try recover(["--plan"])
    XCTAssertEqual(plan.status, 0, plan.text)
    XCTAssertTrue(plan.items.values.allSatisfy { $0["outcome"] as? String == "ready" }, plan.text)
    XCTAssertEqual(plan.items["postgres/globals"]?["stage"] as? String, "accounts")
    XCTAssertEqual(plan.items["mariadb/mysql"]?["stage"] as? String, "accounts")
    XCTAssertEqual(
      try cli.shell("cd \(cli.repository) && find . -type f | sort | xargs sha256sum"), repositoryBefore)
    XCTAssertEqual(
      try cli.shell("psql -AtX -c \"select count(*) from pg_database where datname = 'appdb'\""), "0")
    XCTAssertFalse(FileManager.default.fileExists(atPath: cli.folder + "/vol"))
    // Without --yes nothing happens either; nor with a source the configuration lacks.
    XCTAssertEqual(cli.run(["recover"]).status, 2)
    let unknown = cli.run(["recover", "--yes", "--only", "nosuch"])
    XCTAssertEqual(unknown.status, 2, unknown.stderr)
    XCTAssertTrue(unknown.stderr.contains("--only: no source 'nosuch' in the configuration"), unknown.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: cli.folder + "/vol"))

    let recovery = try recover(["--yes"])
    XCTAssertEqual(recovery.status, 0, recovery.text)
    for name in [
      "postgres/globals", "postgres/appdb", "postgres/shop", "mariadb/mysql", "mariadb/books", "redis/rdb",
      "ldap/directory",
    ] {
      XCTAssertEqual(recovery.items[name]?["outcome"] as? String, "restored", "\(name): \(recovery.text)")
    }
    XCTAssertEqual(recovery.items.values.filter { $0["source"] as? String == "volumes" }.count, 2)
    XCTAssertEqual(try state(), before)

    // Run again: everything is already there and is checked, not replaced.
    let again = try recover(["--yes"])
    XCTAssertEqual(again.status, 0, again.text)
    for name in ["postgres/appdb", "postgres/shop", "mariadb/books", "redis/rdb", "ldap/directory"] {
      XCTAssertEqual(again.items[name]?["outcome"] as? String, "already restored", "\(name): \(again.text)")
    }
    XCTAssertEqual(
      again.items.values.filter { $0["source"] as? String == "volumes" }.map { $0["outcome"] as? String },
      ["already restored", "already restored"])
    // Accounts (and a database that held nothing) are applied again: that changes nothing.
    XCTAssertEqual(again.items["postgres/globals"]?["outcome"] as? String, "restored", again.text)
    XCTAssertEqual(try state(), before)

    // A target that holds other data is refused; --force saves it first.
    try cli.shell("psql -q -d shop -c 'insert into items values (99999, $$extra$$)'")
    let refused = try recover(["--yes", "--only", "postgres"])
    XCTAssertEqual(refused.status, 8, refused.text)
    XCTAssertEqual(refused.items["postgres/shop"]?["outcome"] as? String, "refused")
    XCTAssertEqual(try cli.shell("psql -AtX -d shop -c 'select count(*) from items'"), "3001")
    let forced = try recover(["--yes", "--only", "postgres", "--force"])
    XCTAssertEqual(forced.status, 0, forced.text)
    XCTAssertNotNil(forced.items["postgres/shop"]?["preRestoreSet"] as? String, forced.text)
    XCTAssertEqual(try cli.shell("psql -AtX -d shop -c 'select count(*) from items'"), "3000")

    // The recovered cluster backs up and reports healthy.
    let next = cli.run(["backup"])
    XCTAssertEqual(next.status, 0, next.stderr)
    let status = cli.run(["status"])
    XCTAssertEqual(status.status, 0, status.text + status.stderr)
  }

  func testAKilledRecoverRunAgainFinishesWithTheSameResult() throws {
    try startServers()
    try cli.shell(
      """
      set -e
      \(maria) -e "create database books; create table books.pages(id int primary key, body text)"
      \(maria) books -e "insert into pages select seq, repeat(concat('page ', seq), 20) from seq_1_to_200000"
      psql -q -c "create database shop"
      psql -q -d shop -c "create table items(id int primary key, name text)" \
        -c "insert into items select i, md5(i::text) from generate_series(1, 100000) i"
      mkdir -p vol/data && head -c 2000000 /dev/urandom > vol/data/blob
      """)
    try cli.configure(
      sources: """
            postgres: { type: postgres, socket: \(cli.folder)/postgres, port: \(ports["postgres"]!), user: postgres }
            mariadb: { type: mariadb, socket: \(cli.folder)/mariadb/mysqld.sock, user: root, databases: [books] }
            volumes: { type: files, paths: [\(cli.folder)/vol/data] }
        """)
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let expected = try cli.shell(
      """
      \(maria) -N -e "select count(*), sum(crc32(body)) from books.pages"
      psql -AtX -d shop -c "select count(*), md5(string_agg(name, ',' order by id)) from items"
      sha256sum vol/data/blob
      """)
    try loseTheHost()
    XCTAssertEqual(
      cli.run(["config", "restore", "--repo", cli.repository, "--to", "datamancy-backup.yml"]).status, 0)
    // Killed while it loads the MariaDB dump (not atomic: tables are left half loaded).
    let process = cli.start(["recover", "--yes"])
    try cli.waitFor("recover to start loading mariadb/books") {
      guard process.isRunning else {
        let output = (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile()
        XCTFail("recover ended before the kill: " + String(decoding: output, as: UTF8.self))
        return true
      }
      let files = (try? FileManager.default.contentsOfDirectory(atPath: cli.folder + "/state")) ?? []
      return files.contains { name in
        let text = try? String(contentsOfFile: cli.folder + "/state/" + name, encoding: .utf8)
        return text?.contains("books") == true
      }
    }
    // A second recover on this host meanwhile is refused, and changes nothing.
    let second = cli.run(["recover", "--yes"])
    XCTAssertEqual(second.status, 11, second.stderr)
    XCTAssertTrue(second.stderr.contains("another recover of this repository is running"), second.stderr)
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    let again = try recover(["--yes"])
    XCTAssertEqual(again.status, 0, again.text)
    // The journal named it: what the killed run loaded is replaced without --force.
    XCTAssertEqual(again.items["mariadb/books"]?["outcome"] as? String, "restored", again.text)
    XCTAssertEqual(
      try cli.shell(
        """
        \(maria) -N -e "select count(*), sum(crc32(body)) from books.pages"
        psql -AtX -d shop -c "select count(*), md5(string_agg(name, ',' order by id)) from items"
        sha256sum vol/data/blob
        """), expected)
    XCTAssertFalse(FileManager.default.fileExists(atPath: cli.folder + "/vol/data.partial"))
  }

  func testDrillClusterRecoversTheStackOntoStandInsAndLeavesNothingBehind() throws {
    try startServers()
    try seed()
    try cli.configure(sources: sources())
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let before = try state()
    let result = cli.run(["drill", "--cluster", "--json", "--report", "cluster.json"])
    XCTAssertEqual(result.status, 0, result.stderr + result.text)
    let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
    XCTAssertEqual(report["kind"] as? String, "drill-cluster")
    let items = try XCTUnwrap(report["items"] as? [[String: Any]])
    XCTAssertEqual(items.count, 10, "\(items.map { $0["item"] })")
    for item in items {
      XCTAssertEqual(item["outcome"] as? String, "restored", "\(item)")
      XCTAssertFalse(item["target"] as? String == nil)
    }
    // Stand-ins, never production: the targets are private servers and a scratch folder.
    let targets = items.compactMap { $0["target"] as? String }
    XCTAssertFalse(
      targets.contains { $0.contains(cli.folder + "/postgres") || $0.contains(":\(ports["redis"]!)") })
    let seconds = try XCTUnwrap(report["totalSeconds"] as? Double)
    let stages = try XCTUnwrap(report["stages"] as? [[String: Any]])
    XCTAssertEqual(stages.map { $0["stage"] as? String }, ["accounts", "data"])
    XCTAssertLessThanOrEqual(stages.compactMap { $0["seconds"] as? Double }.reduce(0, +), seconds + 0.001)
    XCTAssertTrue(FileManager.default.fileExists(atPath: cli.folder + "/cluster.json"))
    // Nothing is left: no process, no folder; production is as it was.
    let processes = try cli.shell("pgrep -f 'datamancy-dril[l]' || [ $? -eq 1 ]")
    XCTAssertEqual(processes, "", "stand-in servers still run")
    let folders = try FileManager.default.contentsOfDirectory(atPath: cli.folder + "/tmp")
    XCTAssertEqual(folders.filter { $0.hasPrefix("datamancy-") }, [])
    XCTAssertEqual(try state(), before)
    // A source the drill has no stand-in for is left out, and fails the drill.
    try cli.configure(sources: sources() + "\n    export: { type: command, command: [echo, hi] }")
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let withCommand = cli.run(["drill", "--cluster"])
    XCTAssertEqual(withCommand.status, 6, withCommand.text)
    XCTAssertTrue(withCommand.text.contains("no stand-in server for command"), withCommand.text)
    let skipped = cli.run(["drill", "--cluster", "--skip", "export"])
    XCTAssertEqual(skipped.status, 0, skipped.text + skipped.stderr)
    // drill.cluster makes the plain (scheduled) drill this one.
    try cli.configure(sources: sources(), extra: "drill: { cluster: true }")
    let scheduled = cli.run(["drill", "--json"])
    XCTAssertEqual(scheduled.status, 0, scheduled.stderr)
    let kind = try XCTUnwrap(try JSONSerialization.jsonObject(with: scheduled.stdout) as? [String: Any])[
      "kind"]
    XCTAssertEqual(kind as? String, "drill-cluster")
  }
}
