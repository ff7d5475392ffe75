import DatamancyRepository
import Foundation

/// What one `recover` did (or, with `--plan`, would do), item by item, with the
/// measured time of the whole stack, of each stage and of each item. Saved in
/// the repository next to the drills.
public struct RecoveryReport: Codable, Sendable {
  public var kind = "recover"
  public var time: Date
  /// A `--plan`: nothing was changed.
  public var plan: Bool
  public var totalSeconds: Double
  public var rtoTargetSeconds: Double
  public var stages: [StageTime]
  public var items: [RecoveredItem]
  /// Sources named by `--only` or `--skip` that the configuration does not have.
  public var unknownSources: [String]

  public struct StageTime: Codable, Sendable {
    public var stage: String
    public var seconds: Double
  }

  /// Every item restored (or ready to be, in a plan) and proven.
  public var passed: Bool { unknownSources.isEmpty && items.allSatisfy(\.outcome.isGood) }
}

public struct RecoveredItem: Codable, Sendable {
  public enum Outcome: String, Codable, Sendable {
    /// Plan: the target is empty and reachable; it will be restored.
    case ready
    /// Restored, and the proof passed.
    case restored
    /// The target already held exactly this copy (an earlier, interrupted run).
    case alreadyRestored = "already restored"
    /// Restored, but the target differs from what was recorded at backup.
    case differs
    /// Not restored: the target holds data and `--force` was not given, or cannot be reached.
    case refused
    case failed
    /// Not restored by `recover`: no good copy, or an engine that leaves it to `restore`.
    case skipped
    /// Not restored on its own: it comes back with another item (a database
    /// with its whole cluster recovered to a point in time).
    case covered

    public var isGood: Bool {
      self == .ready || self == .restored || self == .alreadyRestored || self == .covered
    }
  }

  public var item: String
  public var source: String
  public var set: String?
  public var setTime: Date?
  public var stage: String?
  public var target: String?
  public var outcome: Outcome
  /// Why it failed, was refused or skipped.
  public var reason: String?
  public var seconds: Double = 0
  public var phases: [TimedStep] = []
  public var checks: [DrillCheck] = []
  /// The set holding what `--force` replaced.
  public var preRestoreSet: String?
}

extension RecoveryReport {
  /// The one table `recover` prints, then the verdict with the measured times.
  public var text: String {
    var rows = [["item", "stage", "copy", "target", "outcome", "time"]]
    for item in items {
      let copy = [item.set.map { String($0.prefix(8)) }, item.setTime.map(Formatting.time)]
        .compactMap { $0 }.joined(separator: " ")
      let outcome = item.outcome.rawValue + (item.reason.map { ": " + Formatting.short($0) } ?? "")
      rows.append([
        item.item, item.stage ?? "-", copy.isEmpty ? "-" : copy, item.target ?? "-", outcome,
        plan ? "-" : Formatting.seconds(item.seconds),
      ])
    }
    var lines = [Formatting.table(rows)]
    for item in items {
      for check in item.checks where !check.passed {
        lines.append("  \(item.item): \(check.table): \(check.detail)")
      }
      if let preRestoreSet = item.preRestoreSet {
        lines.append(
          "  \(item.item): what the target held is in set \(preRestoreSet.prefix(8)) (tag pre-restore)")
      }
    }
    for source in unknownSources { lines.append("no source '\(source)' in the configuration") }
    let counts = Dictionary(grouping: items, by: \.outcome).map { "\($0.value.count) \($0.key.rawValue)" }
      .sorted().joined(separator: ", ")
    if plan {
      lines.append(
        (passed ? "recover plan: ready" : "recover plan: NOT READY") + " (\(counts)); nothing was changed")
    } else {
      let stageTimes = stages.map { "\($0.stage) \(Formatting.seconds($0.seconds))" }.joined(separator: ", ")
      let verb = kind == "drill-cluster" ? "drill --cluster" : "recover"
      let verdict = kind == "drill-cluster" ? drillPassed : passed
      lines.append(
        "\(verb) \(verdict ? "passed" : "FAILED") (\(counts)); measured RTO "
          + "\(Formatting.seconds(totalSeconds)) (\(stageTimes)) against a target of "
          + Formatting.seconds(rtoTargetSeconds))
    }
    return lines.joined(separator: "\n")
  }
}
