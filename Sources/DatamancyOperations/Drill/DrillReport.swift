import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// What a drill did and found, saved with the set it drilled.
public struct DrillReport: Codable, Sendable {
  /// Tells drill reports from verify reports among a set's reports.
  public var kind = "drill"
  public var time: Date
  /// The drilled set's id.
  public var set: String
  public var rtoTargetSeconds: Double
  /// The measured recovery time: the sum of every item's phases.
  public var totalSeconds: Double
  public var items: [ItemDrill]
  public var passed: Bool

  public init(time: Date, set: String, rtoTargetSeconds: Double, items: [ItemDrill]) {
    self.time = time
    self.set = set
    self.rtoTargetSeconds = rtoTargetSeconds
    self.items = items
    totalSeconds = items.reduce(0) { $0 + $1.seconds }
    passed = items.allSatisfy(\.passed) && totalSeconds <= rtoTargetSeconds
  }
}

/// One item's drill: its phases (select, prepare, restore, verify, cleanup),
/// and a check per table (or entry list, or keyspace).
public struct ItemDrill: Codable, Sendable {
  public var item: String
  /// Where it was restored, e.g. `database grafana_drill_20261128T0200 on postgres`.
  public var target: String
  public var phases: [TimedStep]
  public var seconds: Double
  public var checks: [DrillCheck]
  /// Why the drill of this item stopped, if it did.
  public var error: String?
  public var passed: Bool

  public init(item: String, target: String, phases: [TimedStep], checks: [DrillCheck], error: String?) {
    self.item = item
    self.target = target
    self.phases = phases
    seconds = phases.reduce(0) { $0 + $1.seconds }
    self.checks = checks
    self.error = error
    passed = error == nil && !checks.isEmpty && checks.allSatisfy(\.passed)
  }
}

/// One table (or LDAP entry list, Redis database, restored file) compared with
/// what was recorded at backup.
public struct DrillCheck: Codable, Sendable, Equatable {
  public var table: String
  public var expectedRows: Int?
  public var foundRows: Int?
  public var passed: Bool
  public var detail: String

  public init(table: String, expectedRows: Int?, foundRows: Int?, passed: Bool, detail: String) {
    self.table = table
    self.expectedRows = expectedRows
    self.foundRows = foundRows
    self.passed = passed
    self.detail = detail
  }
}
