import DatamancyRepository
import DatamancySources
import Foundation

/// `restore --source NAME --to-time TIME --to DIR` (or `--to-lsn`, or `latest`):
/// the newest base backup of a `postgres_pitr` source that ended before the
/// target, its WAL chain checked in the archive, extracted into DIR with
/// `recovery.signal` and the settings that make `pg_ctl -D DIR start` fetch WAL
/// through the restore command and stop at the target.
public struct PointInTimeRestore {
  public struct Refused: Error, CustomStringConvertible {
    public var description: String
  }

  public enum Target: Sendable, CustomStringConvertible {
    case time(Date)
    case lsn(UInt64)
    /// The end of the archive.
    case latest

    public var description: String {
      switch self {
      case .time(let date): Formatting.time(date)
      case .lsn(let lsn): "LSN \(LSN.format(lsn))"
      case .latest: "the end of the archive"
      }
    }
  }

  public struct BaseBackup: Sendable {
    public var set: BackupSet
    public var item: BackupItem
    public var label: BackupLabel
  }

  /// What recovery from one base backup can reach.
  public struct Window: Sendable {
    public var base: BaseBackup
    public var chain: WALArchiveState.Chain
    /// The newest time recoverable without a gap: when the last segment of the
    /// unbroken chain was archived.
    public var end: Date?
  }

  public struct Plan: Sendable {
    public var window: Window
    /// The segments recovery reads, in order.
    public var segments: [WALSegment]
  }

  public struct Outcome: Sendable {
    public var plan: Plan
    public var folder: String
    /// What recovery was set to stop at: the target asked for, or the end of the
    /// archive when the target is after the newest archived commit.
    public var target: Target
  }

  let repository: Repository
  let context: OperationContext
  let source: String

  public init(repository: Repository, context: OperationContext, source: String) {
    self.repository = repository
    self.context = context
    self.source = source
  }

  /// Every good base backup of the source that the archive has a label for,
  /// oldest first.
  public static func baseBackups(source: String, sets: [BackupSet], labels: [BackupLabel]) -> [BaseBackup] {
    var found: [BaseBackup] = []
    for set in sets {
      guard let item = set.items.first(where: { $0.name == "\(source)/cluster" && $0.status == .ok }) else {
        continue
      }
      // The label's times have whole seconds; the backup ran inside the set's run.
      let from = set.time.addingTimeInterval(-1)
      let to = set.time.addingTimeInterval(set.durationSeconds + 1)
      if let label = labels.first(where: { $0.startTime >= from && $0.startTime <= to }) {
        found.append(BaseBackup(set: set, item: item, label: label))
      }
    }
    return found.sorted { $0.label.stopLSN < $1.label.stopLSN }
  }

  /// Each base backup's recoverable window, oldest first.
  public static func windows(_ state: WALArchiveState, sets: [BackupSet]) -> [Window] {
    baseBackups(source: state.source, sets: sets, labels: state.labels).map { base in
      let chain = state.chain(from: base.label)
      return Window(base: base, chain: chain, end: chain.contiguous.last.flatMap(state.archived))
    }
  }

  /// Picks the base backup for `target` and the segments recovery reads; refuses,
  /// naming the recoverable window, a target the archive cannot reach.
  public func plan(_ target: Target) throws -> Plan {
    let state = try WALArchiveState.read(repository, source: source)
    let windows = Self.windows(state, sets: try repository.sets()).filter(\.chain.complete)
    guard let oldest = windows.first else {
      throw Refused(
        description:
          "\(source) has no base backup whose WAL is archived: run 'backup --source \(source)' with "
          + "archive_command set to wal-push (docs/operations.md)")
    }
    let span = "the recoverable window is \(Self.describe(windows))"
    let chosen: Window?
    switch target {
    case .time(let time): chosen = windows.last { $0.base.label.stopTime <= time }
    case .lsn(let lsn): chosen = windows.last { $0.base.label.stopLSN <= lsn }
    case .latest: chosen = windows.last
    }
    guard let window = chosen else {
      throw Refused(
        description: "\(target) is before the end of the oldest base backup "
          + "(\(Formatting.time(oldest.base.label.stopTime)), LSN \(LSN.format(oldest.base.label.stopLSN))): \(span)"
      )
    }
    let chain = window.chain
    // The segments recovery needs: through the one holding the target (for a
    // time, the first archived at or after it), or all of them for `latest`.
    let needed: [WALSegment]
    switch target {
    case .time(let time):
      let last = chain.expected.firstIndex { segment in
        state.archived(segment).map { $0 >= time } ?? false
      }
      needed = last.map { Array(chain.expected[...$0]) } ?? chain.expected
      if last == nil, chain.missing.isEmpty {
        throw Refused(description: "\(target) is after the end of the archive: \(span)")
      }
    case .lsn(let lsn):
      needed = chain.expected.filter { $0.number * UInt64(state.segmentSize) <= lsn }
      if chain.missing.isEmpty, (chain.expected.last?.endLSN ?? 0) <= lsn {
        throw Refused(description: "\(target) is after the end of the archive: \(span)")
      }
    case .latest:
      needed = chain.expected
    }
    let present = Set(chain.contiguous)
    if let gap = needed.first(where: { !present.contains($0) }) {
      throw Refused(
        description:
          "the archive of \(source) misses WAL segment \(gap.name) (after the base backup of set "
          + "\(window.base.set.shortID)): recovery cannot pass it; \(span); see docs/operations.md")
    }
    return Plan(window: window, segments: needed)
  }

  /// `A to B, C to D`: the base backups' windows, merged where they overlap.
  static func describe(_ windows: [Window]) -> String {
    var parts: [(Date, Date?)] = []
    for window in windows {
      let start = window.base.label.stopTime
      if let last = parts.last, let end = last.1, start <= end {
        parts[parts.count - 1].1 = max(end, window.end ?? end)
      } else {
        parts.append((start, window.end))
      }
    }
    return parts.map { "\(Formatting.time($0.0)) to \($0.1.map(Formatting.time) ?? "?")" }
      .joined(separator: ", ")
  }

  /// Extracts the base backup into `folder` (which must not exist) and writes
  /// the recovery settings. With `commits`, a time after the newest archived
  /// commit recovers to the end of the archive (the same state), where
  /// PostgreSQL would replay everything and then stop with "recovery ended
  /// before configured recovery target was reached".
  /// With `archiveCommand`, the recovered server archives again once promoted;
  /// without, archiving stays off. `planned` is `plan(asked)` when the caller
  /// made it already.
  public func run(
    _ asked: Target, into folder: String, restoreCommand: String, commits: WALCommits?,
    archiveCommand: String? = nil, planned: Plan? = nil
  ) throws -> Outcome {
    guard !FileManager.default.fileExists(atPath: folder) else {
      throw Refused(description: "\(folder) exists; recovery needs a new, empty data folder")
    }
    let plan = try planned ?? plan(asked)
    var target = asked
    if case .time(let time) = asked, let commits,
      (try commits.newest(in: plan.window.chain.contiguous, source: source)).map({ $0 < time }) ?? false
    {
      target = .latest
    }
    try Self.extract(plan.window.base, into: folder, repository: repository, context: context)
    try Self.writeRecoverySettings(
      into: folder, target: target, timeline: plan.window.chain.timeline, restoreCommand: restoreCommand,
      archiveCommand: archiveCommand)
    return Outcome(plan: plan, folder: folder, target: target)
  }

  /// The base backup's files, extracted beside `folder` and renamed to it.
  static func extract(
    _ base: BaseBackup, into folder: String, repository: Repository, context: OperationContext
  )
    throws
  {
    let staging = folder + ".restoring"
    try? FileManager.default.removeItem(atPath: staging)
    var restorer = ItemRestorer(repository: repository, runner: context.runner)
    let extracted = try restorer.restore(base.item, of: base.set, into: staging)
    guard rename(extracted, folder) == 0 else {
      throw Refused(
        description: "cannot move the data folder to \(folder): \(String(cString: strerror(errno)))")
    }
    try? FileManager.default.removeItem(atPath: staging)
  }

  /// The settings a recovery writes besides `recovery_target*`, replaced each time.
  static let recoverySettings: Set<String> = ["restore_command", "archive_mode", "archive_command"]

  /// `recovery.signal`, and in `postgresql.auto.conf` the restore command, the
  /// target and what to do there.
  /// The timeline is named, not `latest`: PostgreSQL's `latest` is the highest
  /// timeline in the archive, which need not descend from this base backup (a
  /// promoted copy that archived into the same source before it was taken).
  /// With `archiveCommand` (recover), archiving goes on into the same source:
  /// PostgreSQL archives nothing while it recovers, and after the promotion the
  /// new timeline's history file and WAL, so the archive stays continuous.
  static func writeRecoverySettings(
    into folder: String, target: Target, timeline: UInt32, restoreCommand: String,
    archiveCommand: String? = nil
  ) throws {
    func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
    var settings = [
      "", "# Written by datamancy-backup: recover from the archive, then promote.",
      "restore_command = \(quoted(restoreCommand))",
      "recovery_target_action = 'promote'",
      "recovery_target_timeline = '\(timeline)'",
    ]
    if let archiveCommand {
      settings += ["archive_mode = on", "archive_command = \(quoted(archiveCommand))"]
    } else {
      settings += [
        "# Archiving stays off until this server is meant to archive (into which source?).",
        "archive_mode = off",
      ]
    }
    switch target {
    case .time(let time): settings.append("recovery_target_time = '\(Formatting.postgresTime(time))'")
    case .lsn(let lsn): settings.append("recovery_target_lsn = '\(LSN.format(lsn))'")
    case .latest: break
    }
    // A base backup of a cluster recovered before carries that recovery's
    // settings: a target left there would stop this recovery at the old point
    // (or, beside a target of another kind, stop the server from starting).
    let conf = folder + "/postgresql.auto.conf"
    let kept = ((try? String(contentsOfFile: conf, encoding: .utf8)) ?? "").split(
      separator: "\n", omittingEmptySubsequences: false
    ).filter { line in
      let key = line.split(separator: "=", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces) ?? ""
      return
        !(key.hasPrefix("recovery_target") || Self.recoverySettings.contains(key)
        || key.hasPrefix("# Written by datamancy-backup") || key.hasPrefix("# Archiving stays off"))
    }
    let text =
      kept.joined(separator: "\n").trimmingCharacters(in: .newlines) + "\n"
      + settings.joined(separator: "\n") + "\n"
    try Data(text.utf8).write(to: URL(fileURLWithPath: conf))
    // Without it the server would start as a primary on the base backup alone.
    try Data().write(to: URL(fileURLWithPath: folder + "/recovery.signal"))
    chmod(folder, 0o700)
  }
}
