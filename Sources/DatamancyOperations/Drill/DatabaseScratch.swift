import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// A new, uniquely named database on the source's own server. The drill loads
/// the item into it with the engine's client, then reads it back as `backup`
/// would (same tool, same settings) and compares the fingerprints.
public final class DatabaseScratch: DrillScratch {
  let engine: any DatabaseEngine
  let repository: Repository
  let runner: any ProcessRunner
  public let database: String
  private var created = false

  public init(engine: any DatabaseEngine, database: String, repository: Repository, runner: any ProcessRunner)
  {
    self.engine = engine
    self.database = database
    self.repository = repository
    self.runner = runner
  }

  /// `<database>_drill_<UTC time>`, cut to the engines' 63-byte name limit.
  public static func name(for database: String, at time: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: time)
    let stamp = String(
      format: "%04d%02d%02dt%02d%02d%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    let suffix = "_drill_" + stamp
    return String(database.utf8.prefix(63 - suffix.utf8.count)).map { $0 + suffix } ?? ("drill" + suffix)
  }

  public var description: String { "database \(database) on \(engine.name)" }

  public func prepare() throws {
    guard try !engine.exists(database) else {
      throw DrillError.scratchExists(database: database)
    }
    try engine.create(database)
    created = true
  }

  public func restore(_ item: BackupItem, of set: BackupSet) throws {
    try DatabaseRestorer(repository: repository, runner: runner, engine: engine).load(
      item, of: set, into: database)
  }

  public func check(_ item: BackupItem) throws -> [DrillCheck] {
    FingerprintComparison.compare(
      recorded: item.fingerprints,
      found: try engine.fingerprints(of: database, rowHash: try .of(item.fingerprints)))
  }

  public func cleanup() throws {
    guard created else { return }
    try engine.drop(database)
    created = false
  }
}
