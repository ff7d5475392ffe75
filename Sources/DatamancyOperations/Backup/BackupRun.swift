import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// One `backup` as the operator asked for it: the sources planned and their tools
/// started, the repository opened, every item stored under a shared lock, the
/// notification sent, the set copied to each `copy_to:` repository, and, when the
/// set is complete and `retention.auto` is set, the retention policy applied.
public struct BackupRun {
  /// A `copy_to:` copy after the backup: what was copied, or why it failed.
  public struct Copy: Sendable {
    public var target: String
    public var outcome: CopyRun.Outcome?
    public var failure: String?
  }

  public struct Outcome: Sendable {
    public var set: BackupSet
    /// As `backup` prints it and notifications send it.
    public var summary: String
    public var copies: [Copy]

    /// The failed copies, as one error; nil when every copy succeeded.
    public var copyFailure: CopyFailed? {
      let failures = copies.compactMap { copy in copy.failure.map { "\(copy.target): \($0)" } }
      return failures.isEmpty ? nil : CopyFailed(failures: failures)
    }
  }

  public let context: OperationContext
  /// Told which items will run, before the first starts.
  public var onPlanned: (([PlannedItem]) -> Void)?
  /// Told of the bytes read, from any thread.
  public var onBytes: (@Sendable (Int) -> Void)?
  /// Told of each finished item, from any thread.
  public var onItem: (@Sendable (BackupItem) -> Void)?
  /// Told of each item as it starts, from any thread.
  public var onStart: (@Sendable (PlannedItem) -> Void)?
  /// Told of each item's stream once its tool runs, from any thread.
  public var onOpen: (@Sendable (String, any ReadingProgress) -> Void)?
  /// The set whose trees folders are compared with (`--parent`); else each
  /// folder's newest good copy.
  public var parent: String?
  /// Read every file, even those unchanged since the previous tree.
  public var forceReread = false

  public init(context: OperationContext) { self.context = context }

  /// Backs up the named sources (every configured one when empty), tagging the set
  /// and stamping it with `time` (now when nil).
  public func run(sources names: [String], tags: [String], time: Date?) throws -> Outcome {
    let stamp = time ?? context.now()
    let notifier = context.notifier
    let set: BackupSet
    let repository: Repository
    var early: EarlyStart?
    do {
      let planned = try plan(names)
      onPlanned?(planned)
      let concurrency = context.config.concurrency ?? Cores.available
      let started = EarlyStart(planned, count: concurrency)
      early = started
      repository = try context.openRepository()
      warnAboutUnusablePacks(repository)
      let session = BackupSession(
        repository: repository, compression: context.config.repository.compression.map(Compression.init))
      session.onBytes = onBytes
      var runner = BackupRunner(
        session: session, concurrency: concurrency, host: context.host, logger: context.logger)
      runner.tags = tags
      runner.configuration = context.config.text
      runner.onItem = onItem
      runner.onStart = onStart
      runner.onOpen = onOpen
      runner.forceReread = forceReread
      runner.parents = try parents(of: planned, in: repository)
      notifier.started()
      set = try context.withLock(repository, exclusive: false, command: "backup") {
        try runner.run(started.items, time: stamp)
      }
    } catch {
      early?.cancel()
      notifier.finished(
        RunOutcome(
          event: "backup", succeeded: false, host: context.host, time: stamp, set: nil,
          summary: "the backup did not run to the end: \(error: error)", failures: []))
      throw error
    }
    let summary = BackupSummary.text(set)
    notifier.finished(.backup(set, summary: BackupSummary.brief(set)))
    let copies = copyToSecondaries(repository, set: set)
    if set.status == .complete, let retention = context.config.retention, retention.auto {
      try RetentionRun.applyAfterBackup(context, repository)
    }
    return Outcome(set: set, summary: summary, copies: copies)
  }

  /// The items of the named sources; a name that is not configured is refused
  /// before anything starts.
  func plan(_ names: [String]) throws -> [PlannedItem] {
    let configured = context.config.sources
    guard !configured.isEmpty else {
      throw OperationError("no sources configured: add a 'sources:' section to the configuration")
    }
    for name in names where !configured.contains(where: { $0.name == name }) {
      throw OperationError(
        "no source named '\(name)'; configured: \(configured.map(\.name).joined(separator: ", "))")
    }
    let chosen = configured.filter { names.isEmpty || names.contains($0.name) }
    try checkSecrets(of: chosen)
    return try chosen.flatMap { try SourcePlanning.planner(for: $0, context: context).items() }
  }

  /// A source's password that cannot be read fails every item of the source the
  /// same way: said once, before any tool starts, and nothing runs. (Secret
  /// commands run when their items do.)
  func checkSecrets(of sources: [SourceConfig]) throws {
    let problems = context.secretProblems { use in
      sources.contains { use.key.hasPrefix("sources.\($0.name).") }
    }
    guard problems.isEmpty else {
      throw OperationError("nothing was backed up: \(problems.joined(separator: "; "))")
    }
  }

  /// The previous tree of each folder item: from `parent`, or the newest set
  /// holding a good tree copy of it (never a pre-restore copy).
  func parents(of planned: [PlannedItem], in repository: Repository) throws -> [String: [ChunkID]] {
    let folders = planned.filter { $0.format == .tree }.map(\.name)
    guard !folders.isEmpty else { return [:] }
    let sets = try parent.map { [try repository.findSet($0)] } ?? repository.backups()
    var parents: [String: [ChunkID]] = [:]
    for name in folders {
      let found = sets.reversed().lazy.compactMap { set in
        set.items.first { $0.name == name && $0.status == .ok && $0.format == .tree }.map { (set, $0) }
      }.first
      if let (set, item) = found { parents[name] = try? repository.rootTree(of: item, in: set) }
    }
    return parents
  }

  func warnAboutUnusablePacks(_ repository: Repository) {
    let unusable = repository.index.unusablePacks
    guard let first = unusable.keys.sorted().first else { return }
    context.logger.warning(
      "\(unusable.count) indexed packs are missing or truncated (\(first.prefix(16))…): their chunks are stored again; run 'datamancy-backup repair' (docs/operations.md)"
    )
  }

  /// `copy_to:`: copies what each secondary lacks (this set, and any earlier set a
  /// failed copy left behind). A failed copy is reported; the others still run and
  /// the backup itself stands.
  func copyToSecondaries(_ repository: Repository, set: BackupSet) -> [Copy] {
    guard set.status != .failed else { return [] }
    return context.config.copyTo.map { name in
      do {
        let outcome = try CopyRun(context: context, source: repository, targetName: name).run(
          try repository.sets(), sources: [], dryRun: false)
        return Copy(target: name, outcome: outcome, failure: nil)
      } catch {
        context.logger.error("copy to \(name) failed: \(error: error)")
        return Copy(target: name, outcome: nil, failure: "\(error: error)")
      }
    }
  }
}

/// `backup` stored its set, but a `copy_to:` copy failed.
public struct CopyFailed: Error, CustomStringConvertible {
  public var failures: [String]
  public var description: String {
    "the backup set was saved, but copying it failed: \(failures.joined(separator: "; ")); run 'datamancy-backup copy --to NAME' once the cause is fixed"
  }
}
