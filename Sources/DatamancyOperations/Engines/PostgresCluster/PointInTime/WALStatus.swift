import DatamancyConfig
import DatamancyRepository
import Foundation

/// One `postgres_pitr` source's archive as `status`, the metrics and the
/// dashboard show it: the window a cluster can be recovered to, how old the
/// newest archived segment is, the pushes that failed, and the gaps.
public struct WALStatus: Sendable, Encodable {
  public var source: String
  /// The end of the oldest complete base backup, and the newest time
  /// recoverable from any base backup without crossing a gap.
  public var windowStart: Date?
  public var windowEnd: Date?
  public var newestSegment: String?
  /// Seconds since the newest segment was archived. An idle cluster archives
  /// nothing (archive_timeout switches only after writes), so this is shown, not judged.
  public var lagSeconds: Double?
  public var segments: Int
  public var baseBackups: Int
  /// Pushes that failed and whose file is still not archived, plus pushes of
  /// other bytes under an archived name in the last day.
  public var failedPushes: Int
  public var lastFailure: String?
  /// Segments missing after the oldest kept base backup.
  public var gaps: [String]

  public var healthy: Bool { failedPushes == 0 && gaps.isEmpty && windowEnd != nil }

  public static func read(
    _ repository: Repository, source: String, sets: [BackupSet], now: Date,
    cache: WALArchiveState.Cache? = nil
  ) throws -> WALStatus {
    let state = try WALArchiveState.read(repository, source: source, cache: cache)
    let windows = PointInTimeRestore.windows(state, sets: sets).filter(\.chain.complete)
    let newest = state.segments.last
    let failures = try repository.walFailures(source: source).filter { failure in
      failure.conflict ? now.timeIntervalSince(failure.time) < 86400 : state.objects[failure.name] == nil
    }
    return WALStatus(
      source: source, windowStart: windows.first?.base.label.stopTime,
      windowEnd: windows.compactMap(\.end).max(), newestSegment: newest?.name,
      lagSeconds: newest.flatMap(state.archived).map { now.timeIntervalSince($0) },
      segments: state.segments.count, baseBackups: windows.count, failedPushes: failures.count,
      lastFailure: failures.last.map { "\($0.name) at \(Formatting.time($0.time)): \($0.reason)" },
      gaps: windows.first?.chain.gaps ?? [])
  }
}

extension WALStatus {
  /// `WAL pg: recoverable … to …; newest segment … archived 12s ago; …`.
  public static func line(_ wal: WALStatus) -> String {
    var parts = [
      wal.windowStart.map { start in
        "recoverable \(Formatting.time(start)) to \(wal.windowEnd.map(Formatting.time) ?? "?")"
      } ?? "NOT RECOVERABLE: no base backup whose WAL is archived",
      wal.newestSegment.map {
        "newest segment \($0) archived \(wal.lagSeconds.map(Formatting.seconds) ?? "?") ago"
      }
        ?? "no segment archived",
      Formatting.count(wal.baseBackups, "base backup"),
    ]
    if wal.failedPushes > 0 {
      parts.append("\(wal.failedPushes) FAILED PUSHES (newest: \(wal.lastFailure ?? "?"))")
    }
    if !wal.gaps.isEmpty { parts.append("GAPS: " + wal.gaps.joined(separator: ", ")) }
    return "WAL \(wal.source): " + parts.joined(separator: "; ")
  }
}

extension StatusReport {
  /// Adds the archive of every `postgres_pitr` source of the configuration.
  public mutating func addWAL(
    _ repository: Repository, sets: [BackupSet], context: OperationContext,
    cache: WALArchiveState.Cache? = nil
  ) throws {
    wal = try context.config.sources.filter { $0.type == SourceType.postgresPITR.name }.map {
      try WALStatus.read(repository, source: $0.name, sets: sets, now: time, cache: cache)
    }
  }
}
