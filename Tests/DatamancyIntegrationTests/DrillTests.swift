import DatamancyRepository
import DatamancyStorage
import Foundation
import XCTest

/// `drill` against real servers: every engine restores into a scratch target and
/// matches its fingerprints; lost rows fail the drill naming the table; nothing
/// scratch is left behind either way.
final class DrillTests: XCTestCase {
  var cli: CLI!
  var servers: Servers!
  var mariaRoot = ""

  override func setUpWithError() throws {
    cli = try CLI()
    servers = Servers(cli: cli)
    addTeardownBlock { [servers] in servers?.stopAll() }
    try FileManager.default.createDirectory(atPath: cli.folder + "/tmp", withIntermediateDirectories: true)
    cli.environment["TMPDIR"] = cli.folder + "/tmp"
  }

  func startPostgres() throws -> String {
    let server = try servers.startPostgres()
    try cli.shell(
      """
      set -e
      createdb shop
      psql -q -d shop -c "create table items(id int primary key, name text);
        insert into items select i, 'item ' || i from generate_series(1, 3000) i;
        create table notes(body text); insert into notes values ('first'), ('second');"
      """)
    return
      "    postgres: { type: postgres, socket: \(server.dir), port: \(server.port), user: postgres, databases: [shop] }"
  }

  func drill(_ arguments: [String] = []) throws -> (status: Int32, report: [String: Any], output: String) {
    let result = cli.run(["drill", "--json"] + arguments)
    // A report of another shape fails the test; it is never read as an empty one.
    let report = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
      "drill --json printed no report: \(result.text)\(result.stderr)")
    return (result.status, report, result.stderr)
  }

  /// No scratch database, server or folder remains.
  func assertNothingLeftBehind(file: StaticString = #filePath, line: UInt = #line) throws {
    let databases = try cli.shell(
      "psql -AtX -c \"select count(*) from pg_database where datname like '%drill%'\"")
    XCTAssertEqual(databases, "0", "scratch databases remain", file: file, line: line)
    if !mariaRoot.isEmpty {
      // Counted by the server, so a server that cannot be reached fails the test
      // instead of reading as "none left".
      let maria = try cli.shell(
        "\(mariaRoot) -N -e \"select count(*) from information_schema.schemata where schema_name like '%drill%'\""
      )
      XCTAssertEqual(maria, "0", "scratch MariaDB databases remain", file: file, line: line)
    }
    // pgrep exits 1 when nothing matches, and more when it fails.
    let processes = try cli.shell("pgrep -f 'datamancy-dril[l]' || [ $? -eq 1 ]")
    XCTAssertEqual(processes, "", "scratch servers still run", file: file, line: line)
    let folders = try FileManager.default.contentsOfDirectory(atPath: cli.folder + "/tmp")
    XCTAssertEqual(folders.filter { $0.hasPrefix("datamancy-") }, [], file: file, line: line)
  }

  func testEveryEngineDrillPassesAndItsReportAddsUp() throws {
    let postgres = try startPostgres()
    let (_, mariaDir) = try servers.start("mariadb")
    mariaRoot = "mariadb --no-defaults --socket=\(mariaDir)/mysqld.sock -uroot"
    let (redisPort, _) = try servers.start("redis")
    let (ldapPort, ldapDir) = try servers.start("slapd", password: "Ldap-S3cret")
    try cli.shell(
      """
      set -e
      \(mariaRoot) -e "create database books; create table books.pages(id int primary key, body text)"
      \(mariaRoot) books -e "insert into pages select seq, concat('page ', seq) from seq_1_to_2000"
      seq 1 700 | awk '{ print "SET key:" $1 " value:" $1 }' | redis-cli -p \(redisPort) > /dev/null
      redis-cli -p \(redisPort) HSET user:1 name ada > /dev/null
      printf 'Ldap-S3cret' > pw
      {
        printf 'dn: dc=datamancy,dc=test\\nobjectClass: dcObject\\nobjectClass: organization\\ndc: datamancy\\no: D\\n\\n'
        printf 'dn: ou=people,dc=datamancy,dc=test\\nobjectClass: organizationalUnit\\nou: people\\n\\n'
        for i in $(seq 1 30); do
          printf 'dn: uid=user%d,ou=people,dc=datamancy,dc=test\\nobjectClass: inetOrgPerson\\nuid: user%d\\ncn: User %d\\nsn: %d\\n\\n' $i $i $i $i
        done
      } | ldapadd -x -H ldap://127.0.0.1:\(ldapPort)/ -D cn=admin,dc=datamancy,dc=test -y pw > /dev/null
      """)
    try cli.configure(
      sources: """
        \(postgres)
            mariadb: { type: mariadb, socket: \(mariaDir)/mysqld.sock, user: root, databases: [books] }
            redis: { type: redis, host: 127.0.0.1, port: \(redisPort) }
            ldap: { type: ldap, method: slapcat, config: \(ldapDir)/slapd.conf, base: "dc=datamancy,dc=test" }
        """)
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let (status, report, output) = try drill(["--report", "drill.json"])
    XCTAssertEqual(status, 0, output + "\(report)")
    let items = try XCTUnwrap(report["items"] as? [[String: Any]])
    XCTAssertEqual(
      items.map { $0["item"] as! String }, ["postgres/shop", "mariadb/books", "redis/rdb", "ldap/directory"])
    var total = 0.0
    for item in items {
      let phases = try XCTUnwrap(item["phases"] as? [[String: Any]])
      XCTAssertEqual(
        phases.map { $0["name"] as! String }, ["select", "prepare", "restore", "verify", "cleanup"])
      let sum = phases.reduce(0.0) { $0 + ($1["seconds"] as! Double) }
      XCTAssertEqual(sum, item["seconds"] as! Double, accuracy: 1e-6)
      total += sum
      XCTAssertEqual(item["passed"] as? Bool, true, "\(item)")
    }
    XCTAssertEqual(report["totalSeconds"] as! Double, total, accuracy: 1e-6)
    func rows(_ item: String, _ table: String) -> Int? {
      let checks = items.first { $0["item"] as? String == item }?["checks"] as? [[String: Any]]
      return checks?.first { $0["table"] as? String == table }?["foundRows"] as? Int
    }
    XCTAssertEqual(rows("postgres/shop", "public.items"), 3000)
    XCTAssertEqual(rows("postgres/shop", "public.notes"), 2)
    XCTAssertEqual(rows("mariadb/books", "pages"), 2000)
    XCTAssertEqual(rows("redis/rdb", "db0"), 701)
    XCTAssertEqual(rows("redis/rdb", "sample"), 20, "values of 20 random keys read back")
    XCTAssertEqual(rows("ldap/directory", "entries"), 32)
    XCTAssertTrue(try cli.shell("cat drill.json").contains("\"kind\":\"drill\""))
    // The report is saved with the set.
    let repository = try Repository.open(storage: LocalStorage(root: cli.repository), password: cli.password)
    let set = try repository.findSet("latest")
    let saved = try repository.reports(about: set.id).map { String(decoding: $0, as: UTF8.self) }
    XCTAssertEqual(saved.filter { $0.contains("\"kind\":\"drill\"") }.count, 1)
    try assertNothingLeftBehind()
  }

  /// MariaDB with `databases: all` (the default) drills the `mysql` system
  /// database too: its log tables, which the dump creates without data, are the
  /// empty tables they are on both sides.
  func testMariaDBWithEveryDatabaseDrills() throws {
    let (_, mariaDir) = try servers.start("mariadb")
    mariaRoot = "mariadb --no-defaults --socket=\(mariaDir)/mysqld.sock -uroot"
    try cli.shell(
      "\(mariaRoot) -e \"create database books; create table books.pages(id int primary key, body text); "
        + "insert into books.pages values (1, 'one'), (2, 'two')\"")
    try cli.configure(sources: "    mariadb: { type: mariadb, socket: \(mariaDir)/mysqld.sock, user: root }")
    try cli.initialize()
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 0, backup.stderr + backup.text)
    let (status, report, output) = try drill()
    let items = try XCTUnwrap(report["items"] as? [[String: Any]], output)
    XCTAssertTrue(items.contains { $0["item"] as? String == "mariadb/mysql" }, "\(items.map { $0["item"] })")
    XCTAssertTrue(items.contains { $0["item"] as? String == "mariadb/books" })
    let failed = items.filter { $0["passed"] as? Bool != true }.map { "\($0["item"]!): \($0)" }
    XCTAssertEqual(failed, [], output)
    XCTAssertEqual(status, 0, output)
    let scratch = try cli.shell(
      "\(mariaRoot) -N -e \"select count(*) from information_schema.schemata where schema_name like '%drill%'\""
    )
    XCTAssertEqual(scratch, "0", "scratch MariaDB databases remain")
  }

  func testLostRowsFailTheDrillNamingTheTable() throws {
    try cli.configure(sources: try startPostgres())
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    // A set whose dump lost rows but which carries the fingerprints of the full
    // database: the second backup's data under the first backup's fingerprints.
    try cli.shell("psql -q -d shop -c 'delete from items where id > 2500'")
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let repository = try Repository.open(storage: LocalStorage(root: cli.repository), password: cli.password)
    let history = try repository.sets()
    var damaged = history[1]
    damaged.tags = ["lost-rows"]
    damaged.items[0].fingerprints = history[0].items[0].fingerprints
    let saved = try repository.save(damaged)

    let (status, report, output) = try drill([saved.id])
    XCTAssertEqual(status, 6, output)
    let item = try XCTUnwrap((report["items"] as? [[String: Any]])?.first)
    XCTAssertEqual(item["passed"] as? Bool, false)
    let checks = try XCTUnwrap(item["checks"] as? [[String: Any]])
    let failed = checks.filter { $0["passed"] as? Bool == false }
    XCTAssertEqual(failed.map { $0["table"] as! String }, ["public.items"])
    XCTAssertEqual(failed.first?["expectedRows"] as? Int, 3000)
    XCTAssertEqual(failed.first?["foundRows"] as? Int, 2500)
    let text = cli.run(["drill", saved.id])
    XCTAssertEqual(text.status, 6)
    XCTAssertTrue(text.text.contains("FAILED  public.items  3000    2500"), text.text)
    // The untouched set still drills clean, and the source was never written.
    XCTAssertEqual(try drill([history[1].id]).status, 0)
    XCTAssertEqual(try cli.shell("psql -AtX -d shop -c 'select count(*) from items'"), "2500")
    try assertNothingLeftBehind()
  }

  func testAMissedRTOFailsTheDrill() throws {
    try cli.configure(sources: try startPostgres(), extra: "drill: { rto: 0.001s }")
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let (status, report, output) = try drill()
    XCTAssertEqual(status, 6, output)
    XCTAssertEqual(report["passed"] as? Bool, false)
    XCTAssertEqual(report["rtoTargetSeconds"] as? Double, 0.001)
    let items = try XCTUnwrap(report["items"] as? [[String: Any]])
    XCTAssertEqual(items.map { $0["passed"] as? Bool }, [true], "the data matched: only the time failed")
    XCTAssertGreaterThan(try XCTUnwrap(report["totalSeconds"] as? Double), 0.001)
    let text = cli.run(["drill"])
    XCTAssertEqual(text.status, 6)
    XCTAssertTrue(text.text.lowercased().contains("rto"), text.text)
    try assertNothingLeftBehind()
  }
}
