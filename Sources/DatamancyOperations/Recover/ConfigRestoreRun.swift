import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// `config restore`: writes back the configuration file a backup ran with (every
/// set carries it, `BackupSet.configuration`), the first step once the host is
/// lost: with nothing but the repository and its password, the sources, their
/// servers and the schedule come back as they were.
public struct ConfigRestoreRun {
  public let context: OperationContext

  public init(context: OperationContext) { self.context = context }

  public struct Outcome: Sendable {
    /// The set whose configuration was written.
    public var set: BackupSet
    public var path: String
    /// The configured sources, by name and type.
    public var sources: [(name: String, type: String)]
    /// Secrets the file references that this host cannot read now, each as
    /// "key: why" (commands are not run: they run when their secret is needed).
    public var missingSecrets: [String]
  }

  /// Writes the configuration of the set `selector` names, or of the newest set
  /// that carries one, to `path`; refuses to replace a file unless `force`.
  public func run(set selector: String?, to path: String, force: Bool) throws -> Outcome {
    let repository = try context.openRepository(loadIndex: false)
    let chosen = try context.withLock(repository, exclusive: false, command: "config restore", readOnly: true)
    {
      try pick(selector, in: repository)
    }
    guard let text = chosen.configuration else { throw Self.noConfiguration(chosen) }
    if !force, FileManager.default.fileExists(atPath: path) {
      throw OperationError("\(path) exists; pass --force to replace it, or choose another --to")
    }
    // Read as this version reads it, before anything is written: a file it
    // cannot read would only fail later, at the first command.
    let config: BackupConfig
    do {
      config = try BackupConfig.parse(text, file: path, types: context.engines.types)
    } catch {
      throw OperationError(
        "the configuration of set \(chosen.shortID) does not read in this version (\(error)); "
          + "use the version that made the set, or pick another with --set")
    }
    // A path that cannot be written says so itself (AtomicFile.Failure: exit 1).
    try AtomicFile.write(text, to: path, mode: 0o600)
    return Outcome(
      set: chosen, path: path, sources: config.sources.map { ($0.name, $0.type) },
      missingSecrets: context.secretProblems(in: config.allSecretUses))
  }

  private func pick(_ selector: String?, in repository: Repository) throws -> BackupSet {
    if let selector { return try repository.findSet(selector) }
    guard let newest = try repository.backups().last(where: { $0.configuration != nil }) else {
      throw OperationError(
        "no set in the repository carries a configuration (sets made without a configuration file, "
          + "or before sets carried it): write the file by hand (README, \"Configuration\")")
    }
    return newest
  }

  static func noConfiguration(_ set: BackupSet) -> OperationError {
    OperationError(
      "set \(set.shortID) carries no configuration (made without a configuration file, or before sets "
        + "carried it); leave out --set for the newest set that carries one")
  }
}
