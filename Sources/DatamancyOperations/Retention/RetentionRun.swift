import DatamancyConfig
import DatamancyRepository
import Foundation

/// Decides and removes sets.
public struct RetentionRun {
  public let repository: Repository
  /// Per source name; `*` for every other source.
  public let policies: [String: RetentionPolicy]

  public init(repository: Repository, policies: [String: RetentionPolicy]) {
    self.repository = repository
    self.policies = policies
  }

  /// The configuration's policy of each source (a source's own `retention:`
  /// replacing the top level's).
  public static func policies(_ config: BackupConfig) throws -> [String: RetentionPolicy] {
    guard let top = config.retention else {
      throw OperationError(
        "no retention policy: add 'retention:' to the configuration or pass --keep-* flags")
    }
    var policies = ["*": policy(top)]
    for source in config.sources {
      if let own = source.retention { policies[source.name] = policy(own) }
    }
    return policies
  }

  public static func policy(_ settings: RetentionSettings) -> RetentionPolicy {
    RetentionPolicy(
      latest: settings.keepLatest, hourly: settings.keepHourly, daily: settings.keepDaily,
      weekly: settings.keepWeekly, monthly: settings.keepMonthly, annual: settings.keepAnnual,
      within: settings.keepWithin)
  }

  public func apply(dryRun: Bool) throws -> [RetentionDecision] {
    let sets = try repository.sets()
    let decisions = Retention.decide(sets) { policies[$0] ?? policies["*"] ?? RetentionPolicy() }
    guard !dryRun else { return decisions }
    for (set, decision) in zip(sets, decisions) where !decision.keep { try repository.forget(set) }
    return decisions
  }
}

extension RetentionRun {
  /// `retention.auto`: after a complete backup, forget by the configured policy
  /// and prune, under one exclusive lock; the outcome goes to the log.
  public static func applyAfterBackup(_ context: OperationContext, _ repository: Repository) throws {
    let policies = try policies(context.config)
    let (decisions, report) = try context.withLock(repository, exclusive: true, command: "forget") {
      let decisions = try RetentionRun(repository: repository, policies: policies).apply(dryRun: false)
      return (decisions, try PruneRun(context: context, repository: repository).runLocked())
    }
    let removed = decisions.filter { !$0.keep }.count
    context.logger.notice(
      "retention: \(removed) sets removed, \(decisions.count - removed) kept; \(report.unusedPacks + report.repackedPacks) packs freed"
    )
  }
}
