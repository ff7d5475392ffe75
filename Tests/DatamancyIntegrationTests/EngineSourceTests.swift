import Foundation
import XCTest

/// MariaDB, Redis and OpenLDAP sources against real servers; what we store is read
/// back by the engines' own tools.
final class EngineSourceTests: XCTestCase {
  var cli: CLI!
  var servers: Servers!
  static let lib = URL(fileURLWithPath: Servers.script).deletingLastPathComponent().path + "/lib"

  override func setUpWithError() throws {
    cli = try CLI()
    servers = Servers(cli: cli)
    addTeardownBlock { [servers] in servers?.stopAll() }
  }

  func items(_ set: [String: Any]) -> [String: [String: Any]] {
    Dictionary(uniqueKeysWithValues: (set["items"] as! [[String: Any]]).map { ($0["name"] as! String, $0) })
  }

  func backupJSON() throws -> (status: Int32, set: [String: Any], stderr: String) {
    let result = cli.run(["backup", "--json"])
    let set = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] ?? [:]
    return (result.status, set, result.text + result.stderr)
  }

  func testMariaDBItemsLoadWithTheMariaDBClient() throws {
    let (port, dir) = try servers.start("mariadb")
    let root = "mariadb --no-defaults --socket=\(dir)/mysqld.sock -uroot"
    cli.environment["MARIA_PW"] = "Maria-backup-S3cret"
    try cli.shell(
      """
      set -e
      \(root) -e "create user backup@'127.0.0.1' identified by 'Maria-backup-S3cret'; grant all on *.* to backup@'127.0.0.1';"
      for db in bookstack seafile; do
        \(root) -e "create database $db; create table $db.pages(id int primary key, title varchar(100), body text);
          create table $db.empty_one(x int);"
        # Quotes, commas and parentheses inside values exercise the row splitter.
        \(root) $db -e "insert into pages select seq, concat('page ', seq), concat('it''s (a), text ', seq) from seq_1_to_3000"
      done
      """)
    try cli.configure(
      sources: """
          mariadb: { type: mariadb, host: 127.0.0.1, port: \(port), user: backup, password: { env: MARIA_PW }, databases: all, exclude: [mysql] }
        """)
    try cli.initialize()
    let result = try backupJSON()
    XCTAssertEqual(result.status, 0, result.stderr)
    let items = self.items(result.set)
    XCTAssertEqual(Set(items.keys), ["mariadb/bookstack", "mariadb/seafile"])
    let fingerprints = try XCTUnwrap(items["mariadb/bookstack"]?["fingerprints"] as? [[String: Any]])
    XCTAssertEqual(Set(fingerprints.map { $0["table"] as! String }), ["pages", "empty_one"])
    XCTAssertEqual(fingerprints.first { $0["table"] as! String == "pages" }!["rows"] as? Int, 3000)
    try cli.shell(
      """
      set -e
      \(CLI.binary) dump latest mariadb/bookstack > bookstack.sql
      \(root) -e "create database restored"
      \(root) restored < bookstack.sql
      """)
    XCTAssertEqual(
      try cli.shell("\(root) -N -e 'checksum table restored.pages' | cut -f2"),
      try cli.shell("\(root) -N -e 'checksum table bookstack.pages' | cut -f2"))
    XCTAssertFalse(result.stderr.contains("Maria-backup-S3cret"))
    let verify = cli.run(["verify", "--json"])
    XCTAssertEqual(verify.status, 0, verify.text)
    XCTAssertTrue(verify.text.contains("complete dump; fingerprints of 2 tables match"), verify.text)

    // A dump cut short (the tool exits 0 without its trailer) is a failed item.
    try cli.shell(
      "printf '#!/bin/sh\\nmariadb-dump \"$@\" | head -c 2000\\n' > short_dump && chmod +x short_dump")
    try cli.configure(
      sources: """
          mariadb: { type: mariadb, host: 127.0.0.1, port: \(port), user: backup, password: { env: MARIA_PW }, databases: [seafile] }
          cut: { type: mariadb, host: 127.0.0.1, port: \(port), user: backup, password: { env: MARIA_PW }, databases: [bookstack], tools: { mariadb-dump: \(cli.folder)/short_dump } }
        """)
    let partial = try backupJSON()
    XCTAssertEqual(partial.status, 3)
    XCTAssertTrue((self.items(partial.set)["cut/bookstack"]!["error"] as! String).contains("cut short"))
    XCTAssertEqual(self.items(partial.set)["mariadb/seafile"]!["status"] as? String, "ok")
  }

  func testRedisSnapshotPassesRedisCheckRdbAndServesTheSameKeys() throws {
    let password = "Redis-S3cret"
    let (port, _) = try servers.start("redis", password: password)
    cli.environment["REDIS_PW"] = password
    cli.environment["REDISCLI_AUTH"] = password
    try cli.shell(
      """
      set -e
      seq 1 3000 | awk '{ print "SET key:" $1 " value:" $1 }' | redis-cli -p \(port) > /dev/null
      redis-cli -p \(port) HSET user:1 name ada role admin > /dev/null
      redis-cli -p \(port) RPUSH queue a b c > /dev/null
      """)
    try cli.configure(
      sources: "    redis: { type: redis, host: 127.0.0.1, port: \(port), password: { env: REDIS_PW } }")
    try cli.initialize()
    let result = try backupJSON()
    XCTAssertEqual(result.status, 0, result.stderr)
    try cli.shell("mkdir -p scratch && \(CLI.binary) dump latest redis/rdb > scratch/dump.rdb")
    XCTAssertTrue(try cli.shell("redis-check-rdb scratch/dump.rdb").contains("RDB looks OK"))
    let scratch = Servers.freePort()
    try cli.shellWithoutOutput(
      "redis-server --port \(scratch) --bind 127.0.0.1 --dir \(cli.folder)/scratch --dbfilename dump.rdb --daemonize yes --pidfile \(cli.folder)/scratch/pid --save ''"
    )
    defer { try? cli.shellWithoutOutput("kill $(cat scratch/pid)") }
    cli.environment["REDISCLI_AUTH"] = nil
    var size = ""
    for _ in 0..<50 {
      size = (try? cli.shell("redis-cli -p \(scratch) DBSIZE")) ?? ""
      if size == "3002" { break }
      Thread.sleep(forTimeInterval: 0.1)
    }
    XCTAssertEqual(size, "3002")
    XCTAssertEqual(try cli.shell("redis-cli -p \(scratch) GET key:1234"), "value:1234")
    XCTAssertEqual(try cli.shell("redis-cli -p \(scratch) HGET user:1 role"), "admin")

    // Wrong password: a failed item with Redis's message, the password nowhere.
    cli.environment["REDIS_PW"] = "wrong-one"
    let wrong = cli.run(["backup"])
    XCTAssertEqual(wrong.status, 1, "the only item failed, so the set failed")
    XCTAssertEqual(try cli.sets().last?["status"] as? String, "failed")
    XCTAssertFalse((wrong.text + wrong.stderr).contains("wrong-one"))
  }

  func testLDAPExportsLoadWithSlapaddIntoAnEmptyServer() throws {
    let (port, dir) = try servers.start("slapd", password: "Ldap-S3cret")
    cli.environment["LDAP_PW"] = "Ldap-S3cret"
    try cli.shell(
      """
      set -e
      printf '%s' "$LDAP_PW" > pw && chmod 600 pw
      {
        printf 'dn: dc=datamancy,dc=test\\nobjectClass: dcObject\\nobjectClass: organization\\ndc: datamancy\\no: Datamancy\\n\\n'
        printf 'dn: ou=people,dc=datamancy,dc=test\\nobjectClass: organizationalUnit\\nou: people\\n\\n'
        printf 'dn: ou=groups,dc=datamancy,dc=test\\nobjectClass: organizationalUnit\\nou: groups\\n\\n'
        for i in $(seq 1 50); do
          printf 'dn: uid=user%d,ou=people,dc=datamancy,dc=test\\nobjectClass: inetOrgPerson\\nuid: user%d\\ncn: User %d\\nsn: %d\\nmail: user%d@datamancy.test\\n\\n' $i $i $i $i $i
        done
        for g in admins editors; do
          printf 'dn: cn=%s,ou=groups,dc=datamancy,dc=test\\nobjectClass: groupOfNames\\ncn: %s\\nmember: uid=user1,ou=people,dc=datamancy,dc=test\\n\\n' $g $g
        done
      } > seed.ldif
      ldapadd -x -H ldap://127.0.0.1:\(port)/ -D cn=admin,dc=datamancy,dc=test -y pw -f seed.ldif > /dev/null
      """)
    try cli.configure(
      sources: """
          ldap: { type: ldap, method: slapcat, config: \(dir)/slapd.conf, base: "dc=datamancy,dc=test" }
          ldapnet: { type: ldap, method: ldapsearch, url: "ldap://127.0.0.1:\(port)/", bind_dn: "cn=admin,dc=datamancy,dc=test", password: { env: LDAP_PW }, base: "dc=datamancy,dc=test" }
        """)
    try cli.initialize()
    let result = try backupJSON()
    XCTAssertEqual(result.status, 0, result.stderr)
    let items = self.items(result.set)
    for name in ["ldap/directory", "ldapnet/directory"] {
      let fingerprint = try XCTUnwrap((items[name]?["fingerprints"] as? [[String: Any]])?.first, name)
      XCTAssertEqual(fingerprint["rows"] as? Int, 55, name)
    }
    try cli.shell(
      """
      set -e
      source \(Self.lib)/slapd.sh
      slapd_conf \(cli.folder)/empty secret
      \(CLI.binary) dump latest ldap/directory > directory.ldif
      slapadd -q -f empty/slapd.conf -l directory.ldif
      """)
    XCTAssertEqual(try cli.shell("slapcat -f empty/slapd.conf | grep -c '^dn:'"), "55")
    XCTAssertEqual(
      try cli.shell("slapcat -f empty/slapd.conf -a '(uid=user42)' | grep '^mail:'"),
      "mail: user42@datamancy.test")
    XCTAssertFalse(result.stderr.contains("Ldap-S3cret"))
  }
}
