import DatamancyRepository
import Foundation

/// What `prune`, `forget --prune` and `retention.auto` do, in one place: the
/// chunk store's unused data (`Pruner`), then the WAL that no kept base backup
/// needs (`WALRetention`), then activity records beyond the newest of each
/// kind. The outcome, failed or not, is recorded for `status`.
public struct PruneRun {
  public let context: OperationContext
  public let repository: Repository
  /// Packs whose live bytes are below this share are repacked.
  public var repackBelow = 0.5

  public init(context: OperationContext, repository: Repository) {
    self.context = context
    self.repository = repository
  }

  /// Prunes under the exclusive lock. A dry run changes and records nothing.
  public func run(dryRun: Bool = false) throws -> PruneReport {
    guard !dryRun else {
      return try context.withLock(repository, exclusive: true, command: "prune") { try prune(dryRun: true) }
    }
    return try context.recorded(.prune, in: repository, summary: Self.summary) {
      try context.withLock(repository, exclusive: true, command: "prune") { try prune(dryRun: false) }
    }
  }

  /// Prunes under the exclusive lock the caller already holds (`forget` and
  /// prune under one lock).
  public func runLocked() throws -> PruneReport {
    try context.recorded(.prune, in: repository, summary: Self.summary) { try prune(dryRun: false) }
  }

  private func prune(dryRun: Bool) throws -> PruneReport {
    var pruner = Pruner(repository: repository)
    pruner.repackBelow = repackBelow
    var report = try pruner.run(dryRun: dryRun)
    report.wal = try WALRetention.run(repository, after: report, dryRun: dryRun, now: context.now())
    if !dryRun { try trimActivity() }
    return report
  }

  /// Keeps the newest `ActivityRecord.keptByPrune` records of each kind and
  /// target; unreadable records stay for `check` and `repair` to report.
  private func trimActivity() throws {
    for kind in ActivityRecord.Kind.allCases {
      var kept: [String: Int] = [:]
      for name in try repository.activityNames(kind: kind.rawValue) {
        guard let json = try? repository.openActivity(name),
          let record = try? BackupSet.decoder.decode(ActivityRecord.self, from: json)
        else { continue }
        let count = kept[record.target ?? "", default: 0] + 1
        kept[record.target ?? ""] = count
        if count > ActivityRecord.keptByPrune { try repository.deleteActivity(name) }
      }
    }
  }

  /// "3 unused packs deleted, 1 repacked, 12.0 MB freed; WAL pg: 4 files deleted".
  static func summary(_ report: PruneReport) -> String {
    var parts = [
      "\(Formatting.count(report.unusedPacks + report.unindexedPacks, "unused pack")) deleted, "
        + "\(report.repackedPacks) repacked, \(Formatting.bytes(max(0, report.bytesBefore - report.bytesAfter))) freed"
    ]
    for wal in report.wal where wal.files > 0 {
      parts.append("WAL \(wal.source): \(Formatting.count(wal.files, "file")) deleted")
    }
    return parts.joined(separator: "; ")
  }
}
