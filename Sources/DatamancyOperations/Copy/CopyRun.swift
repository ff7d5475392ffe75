import DatamancyRepository
import Foundation

/// One `copy`, also run by `backup` for each `copy_to:` repository: what the
/// target lacks of some sets, set by set, each committed before the next, under a
/// shared lock on the source and a backup's lock on the target.
public struct CopyRun {
  public let context: OperationContext
  public let source: Repository
  /// A name under `repositories:`, or a folder or `s3://` path.
  public let targetName: String

  public init(context: OperationContext, source: Repository, targetName: String) {
    self.context = context
    self.source = source
    self.targetName = targetName
  }

  public struct Outcome: Sendable {
    /// The target, as the operator named it.
    public var label: String
    /// How many sets were asked for.
    public var asked: Int
    /// The sets (or items of sets) the target lacked.
    public var plans: [SetCopier.Plan]
    /// What was copied (empty on a dry run).
    public var copied: [SetCopier.Copied]
    public var dryRun: Bool
  }

  /// Copies; the outcome of a real copy (not a dry run), failed or not, is
  /// recorded in the source repository for `status`.
  public func run(_ sets: [BackupSet], sources: [String], dryRun: Bool) throws -> Outcome {
    guard !dryRun else { return try copy(sets, sources: sources, dryRun: true) }
    return try context.recorded(
      .copy, target: targetName, in: source,
      summary: { "\($0.copied.count) of \($0.asked) sets copied" }
    ) { try copy(sets, sources: sources, dryRun: false) }
  }

  private func copy(_ sets: [BackupSet], sources: [String], dryRun: Bool) throws -> Outcome {
    let (label, target) = try context.openCopyTarget(targetName)
    let copier = SetCopier(source: source, target: target)
    return try context.withLock(source, exclusive: false, command: "copy") {
      try context.withLock(target, exclusive: false, command: "copy") {
        let plans = try copier.plan(sets, sources: sources)
        var copied: [SetCopier.Copied] = []
        if !dryRun {
          for plan in plans {
            let done = try copier.copy(plan)
            copied.append(done)
            context.logger.info("copied set \(plan.set.id) to \(label) as \(done.targetSet)")
          }
        }
        return Outcome(label: label, asked: sets.count, plans: plans, copied: copied, dryRun: dryRun)
      }
    }
  }
}
