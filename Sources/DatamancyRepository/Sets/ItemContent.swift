/// What an item's bytes are, as the source that made them says: what `verify`
/// must find in them, and (with the set's source names) what a recovery restores
/// them with. Stored as text, so a set written by a newer version with a kind this
/// one does not know still reads; such an item is reported, never passed unchecked.
public struct ItemContent: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
  public let rawValue: String

  public init(rawValue: String) { self.rawValue = rawValue }

  /// A `pg_dump --format=custom` archive of one database.
  public static let postgresArchive = ItemContent(rawValue: "postgres-archive")
  /// `pg_dumpall --globals-only`: roles and tablespaces, as SQL.
  public static let postgresGlobals = ItemContent(rawValue: "postgres-globals")
  /// A `pg_basebackup` of a whole cluster, as tar.
  public static let postgresCluster = ItemContent(rawValue: "postgres-cluster")
  /// A `mariadb-dump` of one database, as SQL.
  public static let mariadbDump = ItemContent(rawValue: "mariadb-dump")
  /// A `slapcat` export, as LDIF.
  public static let ldif = ItemContent(rawValue: "ldif")
  /// A Redis RDB snapshot.
  public static let redisSnapshot = ItemContent(rawValue: "redis-rdb")
  /// A folder (a file tree, or tar in older sets).
  public static let folder = ItemContent(rawValue: "folder")
  /// A command's output: bytes this tool knows nothing about.
  public static let commandOutput = ItemContent(rawValue: "command-output")

  public var description: String { rawValue }

  public init(from decoder: any Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(String.self)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}
