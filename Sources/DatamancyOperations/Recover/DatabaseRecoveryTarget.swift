import DatamancyConfig
import DatamancyRepository
import DatamancySources
import Foundation

/// A database on the configured server, under its original name: created as it
/// was (the engine's recorded definition: owner, encoding, ACL, settings), loaded
/// with the engine's client, and read back as `backup` would for the proof.
public final class DatabaseRecoveryTarget: RecoveryTarget {
  let engine: any DatabaseEngine
  let database: String
  let context: RecoveryContext
  /// Run after a load (MariaDB's `FLUSH PRIVILEGES` after its `mysql` database).
  let afterLoad: (() throws -> Void)?
  /// A system database the server always has (MariaDB's `mysql`): never empty,
  /// loaded over what a new server holds, which its dump replaces table by table.
  let system: Bool
  /// The tables the proof compares, when not all (a system database's accounts:
  /// the server rewrites its other tables, such as `proc`'s own routines).
  let provenTables: Set<String>?
  /// The server's address, set by engines whose servers can also come back whole.
  public var server: String?

  public init(
    engine: any DatabaseEngine, database: String, context: RecoveryContext, system: Bool = false,
    provenTables: Set<String>? = nil, afterLoad: (() throws -> Void)? = nil
  ) {
    self.provenTables = provenTables
    self.engine = engine
    self.database = database
    self.context = context
    self.system = system
    self.afterLoad = afterLoad
  }

  public var description: String { "database \(database) on \(engine.name)" }

  public func occupant() throws -> String? {
    guard !system, try engine.exists(database) else { return nil }
    let tables = try engine.tableCount(database)
    return tables > 0 ? Formatting.count(tables, "table") : nil
  }

  public func preserve() throws -> String? { try context.preserve(engine, database) }

  public func clear() throws {
    if !system { try engine.drop(database) }
  }

  public func restore(_ item: BackupItem, of set: BackupSet) throws {
    // An empty database the new server already has (PostgreSQL's `postgres`) is
    // loaded into; one an interrupted run left was cleared first, and is made
    // again from the recorded definition.
    var created = false
    if !system, try !engine.exists(database) {
      try engine.create(database, for: item)
      created = true
    }
    do {
      try DatabaseRestorer(repository: context.repository, runner: context.operations.runner, engine: engine)
        .load(item, of: set, into: database)
    } catch {
      if created { try? engine.drop(database) }
      throw error
    }
    try afterLoad?()
  }

  public func check(_ item: BackupItem, of set: BackupSet) throws -> [DrillCheck] {
    var recorded = item.fingerprints
    var found = try engine.fingerprints(of: database, rowHash: try .of(item.fingerprints))
    if let provenTables {
      recorded = recorded?.filter { provenTables.contains($0.table) }
      found = found.filter { provenTables.contains($0.table) }
    }
    return FingerprintComparison.compare(recorded: recorded, found: found)
  }
}

/// A folder back at its original path (or under `recover --to DIR`), built
/// under a `.partial` name and renamed into place when complete, with owners,
/// modes, times, xattrs and ACLs as recorded.
public final class FolderRecoveryTarget: RecoveryTarget {
  let path: String
  let context: RecoveryContext

  public init(path: String, context: RecoveryContext) {
    self.path = path
    self.context = context
  }

  public var description: String { "folder \(path)" }

  public func occupant() throws -> String? {
    guard ItemRestorer.occupied(path) else { return nil }
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: path))?.count ?? 1
    return entries > 0 ? Formatting.count(entries, "entry", "entries") : nil
  }

  /// A folder is not saved by this tool before it is replaced: `--force` moves
  /// it aside as `PATH.before-recover` instead, which loses nothing.
  public func preserve() throws -> String? { nil }

  public func clear() throws {
    var aside = path + ".before-recover"
    var n = 1
    while ItemRestorer.occupied(aside) {
      n += 1
      aside = path + ".before-recover-\(n)"
    }
    try FileManager.default.moveItem(atPath: path, toPath: aside)
    context.operations.logger.notice("\(path) was moved aside to \(aside)")
  }

  public func restore(_ item: BackupItem, of set: BackupSet) throws {
    // An empty folder (a mount point, a new install's directory) is restored into.
    var restorer = ItemRestorer(repository: context.repository, runner: context.operations.runner)
    try restorer.restore(item, of: set, at: path)
    for warning in restorer.treeReport?.warnings ?? [] {
      context.operations.logger.warning("\(item.name): \(warning)")
    }
  }

  public func check(_ item: BackupItem, of set: BackupSet) throws -> [DrillCheck] {
    [
      try TreeComparison.check(
        item, of: set, restoredTo: path, repository: context.repository, metadata: true)
    ]
  }
}
