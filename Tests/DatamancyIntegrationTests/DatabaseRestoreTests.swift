import Foundation
import XCTest

/// `restore` into databases on real servers: into a new name, refusing a database
/// with tables, replacing one with `--force` after a pre-restore backup, and
/// dropping a new database whose load failed.
final class DatabaseRestoreTests: XCTestCase {
  var cli: CLI!
  var servers: Servers!

  override func setUpWithError() throws {
    cli = try CLI()
    servers = Servers(cli: cli)
    addTeardownBlock { [servers] in servers?.stopAll() }
  }

  /// Starts PostgreSQL with a `shop` database and configures a source for it.
  func startPostgres() throws {
    let server = try servers.startPostgres()
    try cli.shell(
      """
      set -e
      createdb shop
      psql -q -d shop -c "create table items(id int primary key, name text, price numeric);
        insert into items select i, 'item ' || i, i * 1.5 from generate_series(1, 3000) i;
        create table notes(body text); insert into notes values ('it''s, (quoted)'), (null);"
      """)
    try cli.configure(
      sources: """
          postgres: { type: postgres, socket: \(server.dir), port: \(server.port), user: postgres, databases: [shop] }
        """)
  }

  /// A digest of every row of the shop's tables, in key order.
  func digest(_ database: String) throws -> String {
    try cli.shell(
      """
      psql -AtX -d \(database) -c "select md5(string_agg(i::text, '|' order by id)) from items i" \
        -c "select md5(string_agg(coalesce(body, 'NULL'), '|' order by body)) from notes"
      """)
  }

  func testNewNameForcedReplaceAndPreRestoreSet() throws {
    try startPostgres()
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let original = try digest("shop")
    let first = try XCTUnwrap(try cli.sets().first?["id"] as? String)

    let copy = cli.run(["restore", "latest", "--item", "postgres/shop", "--target-db", "shop_copy"])
    XCTAssertEqual(copy.status, 0, copy.stderr)
    XCTAssertEqual(try digest("shop_copy"), original)
    XCTAssertTrue(copy.text.contains("load"), copy.text)

    // The live database moves on; restoring over it without --force changes nothing.
    try cli.shell(
      "psql -q -d shop -c \"delete from items where id > 2000; update items set name = 'changed' where id = 7\""
    )
    let changed = try digest("shop")
    let refused = cli.run(["restore", first, "--item", "postgres/shop", "--target-db", "shop"])
    XCTAssertEqual(refused.status, 1)
    XCTAssertTrue(refused.stderr.contains("already holds 2 tables; nothing was changed"), refused.stderr)
    XCTAssertEqual(try digest("shop"), changed)

    // --force: the old contents go to a pre-restore set first, then the set's contents load.
    let forced = cli.run(["restore", first, "--item", "postgres/shop", "--target-db", "shop", "--force"])
    XCTAssertEqual(forced.status, 0, forced.stderr)
    XCTAssertEqual(try digest("shop"), original)
    let preRestore = try XCTUnwrap(
      try cli.sets().first { ($0["tags"] as? [String]) == ["pre-restore"] }?["id"] as? String)
    XCTAssertTrue(forced.text.contains(String(preRestore.prefix(8))), forced.text)
    let undo = cli.run(["restore", preRestore, "--item", "postgres/shop", "--target-db", "shop_before"])
    XCTAssertEqual(undo.status, 0, undo.stderr)
    XCTAssertEqual(try digest("shop_before"), changed)

    // --dry-run shows the plan and touches nothing.
    let dry = cli.run(["restore", first, "--item", "postgres/shop", "--target-db", "shop_dry", "--dry-run"])
    XCTAssertEqual(dry.status, 0, dry.stderr)
    XCTAssertTrue(dry.text.contains("would restore postgres/shop → database shop_dry"), dry.text)
    XCTAssertEqual(
      try cli.shell("psql -AtX -c \"select count(*) from pg_database where datname = 'shop_dry'\""), "0")
  }

  func testFailedLoadNamesTheObjectAndDropsTheNewDatabase() throws {
    try startPostgres()
    // A table owned by a role that will not exist at restore time (roles live in
    // postgres/globals, restored only when asked).
    try cli.shell(
      """
      set -e
      psql -q -c "create role ghost"
      psql -q -d shop -c "create table haunted(x int); alter table haunted owner to ghost"
      """)
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    try cli.shell("psql -q -d shop -c 'drop table haunted' && psql -q -c 'drop role ghost'")
    let failed = cli.run(["restore", "latest", "--item", "postgres/shop", "--target-db", "shop_new"])
    XCTAssertEqual(failed.status, 1)
    XCTAssertTrue(failed.stderr.contains("role \"ghost\" does not exist"), failed.stderr)
    XCTAssertTrue(failed.stderr.contains("haunted"), failed.stderr)
    XCTAssertTrue(failed.stderr.contains("'shop_new' it created was dropped"), failed.stderr)
    XCTAssertEqual(
      try cli.shell("psql -AtX -c \"select count(*) from pg_database where datname = 'shop_new'\""), "0")

    // Roles are restored only when asked; then the load succeeds with the owner in place.
    let notAsked = cli.run(["restore", "latest", "--item", "postgres/globals", "--original"])
    XCTAssertEqual(notAsked.status, 2)
    XCTAssertTrue(notAsked.stderr.contains("add --roles"), notAsked.stderr)
    let roles = cli.run(["restore", "latest", "--item", "postgres/globals", "--roles"])
    XCTAssertEqual(roles.status, 0, roles.stderr)
    let again = cli.run(["restore", "latest", "--item", "postgres/shop", "--target-db", "shop_new"])
    XCTAssertEqual(again.status, 0, again.stderr)
    XCTAssertEqual(
      try cli.shell(
        "psql -AtX -d shop_new -c \"select tableowner from pg_tables where tablename = 'haunted'\""),
      "ghost")
  }

  func testMariaDBItemRestoresIntoANewDatabaseAndRefusesOneWithTables() throws {
    let (_, dir) = try servers.start("mariadb")
    let root = "mariadb --no-defaults --socket=\(dir)/mysqld.sock -uroot"
    try cli.shell(
      """
      set -e
      \(root) -e "create database books; create table books.pages(id int primary key, body text)"
      \(root) books -e "insert into pages select seq, concat('it''s page ', seq) from seq_1_to_2000"
      """)
    try cli.configure(
      sources: "    mariadb: { type: mariadb, socket: \(dir)/mysqld.sock, user: root, databases: [books] }")
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let restored = cli.run(["restore", "latest", "--item", "mariadb/books", "--target-db", "books_copy"])
    XCTAssertEqual(restored.status, 0, restored.stderr)
    let checksum = { (db: String) in
      try self.cli.shell("\(root) -N -e 'checksum table \(db).pages' | cut -f2")
    }
    XCTAssertEqual(try checksum("books_copy"), try checksum("books"))
    let refused = cli.run(["restore", "latest", "--item", "mariadb/books", "--target-db", "books"])
    XCTAssertEqual(refused.status, 1)
    XCTAssertTrue(refused.stderr.contains("already holds 1 table;"), refused.stderr)
  }
}
