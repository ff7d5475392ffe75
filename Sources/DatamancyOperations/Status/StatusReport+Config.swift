import DatamancyRepository
import Foundation

extension StatusReport {
  /// The status of every configured source, each against its RPO (else
  /// `verify.max_age`), with the WAL archives of `postgres_pitr` sources.
  public static func build(_ repository: Repository, context: OperationContext) throws -> StatusReport {
    let sets = try repository.sets()
    var report = build(
      sets: sets.filter { !$0.isSafetyCopy }, reports: try repository.allReports(),
      activity: try ActivityRecord.read(repository), storedBytes: repository.index.totals.sealed,
      context: context)
    try report.addWAL(repository, sets: sets, context: context)
    return report
  }

  /// The same from sets (backup runs, oldest first) and reports already read.
  public static func build(
    sets: [BackupSet], reports: [(set: String, json: Data)], activity: [ActivityRecord],
    storedBytes: Int, context: OperationContext
  ) -> StatusReport {
    let policy = VerifyPolicy(context.config)
    return build(
      sets: sets, reports: reports, activity: activity, storedBytes: storedBytes, now: context.now(),
      rpo: policy.limit(for:), expected: context.config.sources.map(\.name))
  }
}
