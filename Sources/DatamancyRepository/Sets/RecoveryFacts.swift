/// What a recovery onto a new server needs to know about an item beyond its
/// bytes, recorded when it was backed up.
public struct RecoveryFacts: Codable, Sendable, Equatable {
  /// The server's version when the item was made (`15.18`), for the report.
  public var serverVersion: String?
  /// SQL that creates the database as it was: owner, encoding, collation, its
  /// ACL and its `ALTER DATABASE/ROLE … SET` settings (PostgreSQL: `pg_dump
  /// --create` of no schema). It names the original database, so it applies
  /// only when the database is restored under its own name.
  public var databaseSQL: String?

  public init(serverVersion: String? = nil, databaseSQL: String? = nil) {
    self.serverVersion = serverVersion
    self.databaseSQL = databaseSQL
  }
}
