import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// The health of everything a repository holds, as `status` shows it and the
/// metrics export it.
public struct StatusReport: Sendable, Encodable {
  public enum State: String, Sendable, Encodable {
    /// The newest good copy is within the RPO, and the newest attempt succeeded.
    case ok
    /// The newest good copy is older than the RPO.
    case late
    /// The newest attempt failed (an older good copy is still within the RPO).
    case failed
    /// No good copy at all.
    case missing
  }

  public struct Item: Sendable, Encodable {
    public var item: String
    public var source: String
    public var state: State
    public var lastSuccess: Date?
    public var ageSeconds: Double?
    public var rpoSeconds: Double
    /// The newest attempt (good or failed).
    public var lastAttempt: Date?
    public var lastError: String?
    public var lastDurationSeconds: Double?
    public var rawBytes: Int?
    public var storedBytes: Int?
  }

  /// The newest verify or drill report.
  public struct Check: Sendable, Encodable {
    public var set: String
    public var time: Date
    public var passed: Bool
    /// Drills: the measured recovery time and the target.
    public var rtoSeconds: Double?
    public var rtoTargetSeconds: Double?
  }

  public var time: Date
  public var items: [Item]
  public var lastRun: BackupRunSummary?
  public var lastVerify: Check?
  public var lastDrill: Check?
  /// The newest prune, and the newest copy to each other repository.
  public var lastPrune: ActivityRecord?
  public var lastCopies: [ActivityRecord] = []
  public var sets: Int
  /// Bytes in the repository's packs (sealed, compressed).
  public var storedBytes: Int
  /// Bytes the sets hold, before deduplication and compression.
  public var rawBytes: Int
  /// The WAL archives of `postgres_pitr` sources.
  public var wal: [WALStatus] = []
  public var dedupRatio: Double { storedBytes > 0 ? Double(rawBytes) / Double(storedBytes) : 0 }
  public var healthy: Bool {
    items.allSatisfy { $0.state == .ok } && lastVerify?.passed != false && lastDrill?.passed != false
      && wal.allSatisfy(\.healthy) && lastPrune?.passed != false && lastCopies.allSatisfy(\.passed)
  }

  enum CodingKeys: String, CodingKey {
    case time, items, lastRun, lastVerify, lastDrill, lastPrune, lastCopies, sets, storedBytes, rawBytes, wal
    case dedupRatio, healthy
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(time, forKey: .time)
    try container.encode(items, forKey: .items)
    try container.encodeIfPresent(lastRun, forKey: .lastRun)
    try container.encodeIfPresent(lastVerify, forKey: .lastVerify)
    try container.encodeIfPresent(lastDrill, forKey: .lastDrill)
    try container.encodeIfPresent(lastPrune, forKey: .lastPrune)
    try container.encode(lastCopies, forKey: .lastCopies)
    try container.encode(sets, forKey: .sets)
    try container.encode(storedBytes, forKey: .storedBytes)
    try container.encode(rawBytes, forKey: .rawBytes)
    if !wal.isEmpty { try container.encode(wal, forKey: .wal) }
    try container.encode(dedupRatio, forKey: .dedupRatio)
    try container.encode(healthy, forKey: .healthy)
  }
}

extension StatusReport.Check {
  /// The newer of two checks; of two from the same run (the same time), a failed
  /// one, whatever order the reports were listed in.
  static func newest(_ known: Self?, _ other: Self) -> Self {
    guard let known, known.time >= other.time else { return other }
    return known.time == other.time && known.passed && !other.passed ? other : known
  }
}

/// The newest backup run.
public struct BackupRunSummary: Sendable, Encodable {
  public var set: String
  public var time: Date
  public var status: String
  public var durationSeconds: Double
  public var itemsOK: Int
  public var itemsFailed: Int
}

extension StatusReport {
  /// Builds the report from sets (backup runs, oldest first) and reports. `rpo`
  /// gives each source's RPO; `expected` lists configured sources, so one that
  /// never produced a good item shows as missing.
  public static func build(
    sets: [BackupSet], reports: [(set: String, json: Data)], activity: [ActivityRecord] = [],
    storedBytes: Int, now: Date, rpo: (String) -> Double, expected: [String]
  ) -> StatusReport {
    var items: [String: Item] = [:]
    for set in sets {  // oldest first: later sets overwrite
      for item in set.items {
        var entry =
          items[item.name]
          ?? Item(
            item: item.name, source: item.source, state: .missing, rpoSeconds: rpo(item.source))
        entry.lastAttempt = set.time
        entry.lastError = item.status == .ok ? nil : (item.error ?? "failed")
        entry.lastDurationSeconds = item.durationSeconds
        if item.status == .ok {
          entry.lastSuccess = set.time
          entry.rawBytes = item.rawBytes
          entry.storedBytes = item.storedBytes
        }
        items[item.name] = entry
      }
    }
    for source in expected where !items.values.contains(where: { $0.source == source }) {
      items[source] = Item(item: source, source: source, state: .missing, rpoSeconds: rpo(source))
    }
    let judged = items.values.map { item -> Item in
      var item = item
      if let success = item.lastSuccess {
        item.ageSeconds = now.timeIntervalSince(success)
        item.state =
          VerifyPolicy.isLate(age: item.ageSeconds!, limit: item.rpoSeconds)
          ? .late : (item.lastError != nil ? .failed : .ok)
      }
      return item
    }.sorted { $0.item < $1.item }
    var report = StatusReport(
      time: now, items: judged, sets: sets.count, storedBytes: 0,
      rawBytes: sets.reduce(0) { $0 + $1.rawBytes })
    report.storedBytes = storedBytes
    if let newest = sets.last {
      report.lastRun = BackupRunSummary(
        set: newest.id, time: newest.time, status: newest.status.rawValue,
        durationSeconds: newest.durationSeconds, itemsOK: newest.items.filter { $0.status == .ok }.count,
        itemsFailed: newest.items.filter { $0.status == .failed }.count)
    }
    (report.lastVerify, report.lastDrill) = newestChecks(reports, sets)
    (report.lastPrune, report.lastCopies) = newestActivity(activity)
    return report
  }

  /// The newest verify and drill among all sets' reports (reports of sets that
  /// were forgotten meanwhile are left out). One run saves a report per set it
  /// checked, all with the run's time: the run passed only when every one of
  /// them did, so a run that failed on one set never reads as passed.
  static func newestChecks(_ reports: [(set: String, json: Data)], _ sets: [BackupSet]) -> (Check?, Check?) {
    let known = Set(sets.map(\.id))
    let saved = SavedReports(reports.filter { known.contains($0.set) })
    var verify: Check?
    var drill: Check?
    for (set, report) in saved.drills {
      let check = Check(
        set: set, time: report.time, passed: report.passed, rtoSeconds: report.totalSeconds,
        rtoTargetSeconds: report.rtoTargetSeconds)
      drill = Check.newest(drill, check)
    }
    for (set, report) in saved.verifies {
      verify = Check.newest(verify, Check(set: set, time: report.time, passed: report.passed))
    }
    return (verify, drill)
  }

  /// The newest prune, and the newest copy to each target (by target name).
  static func newestActivity(_ records: [ActivityRecord]) -> (ActivityRecord?, [ActivityRecord]) {
    var prune: ActivityRecord?
    var copies: [String: ActivityRecord] = [:]
    for record in records {
      switch record.kind {
      case .prune: prune = ActivityRecord.newest(prune, record)
      case .copy: copies[record.target ?? ""] = ActivityRecord.newest(copies[record.target ?? ""], record)
      }
    }
    return (prune, copies.values.sorted { ($0.target ?? "") < ($1.target ?? "") })
  }
}
