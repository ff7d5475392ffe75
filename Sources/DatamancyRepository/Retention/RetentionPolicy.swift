import Foundation

/// How many backups of each item to keep: the newest `latest`, the newest of each
/// of the last `hourly` hours, `daily` days, `weekly` ISO weeks, `monthly` months
/// and `annual` years that have a backup, and every backup within `within`
/// seconds of the item's newest good one.
public struct RetentionPolicy: Sendable, Equatable, Codable {
  public var latest = 0
  public var hourly = 0
  public var daily = 0
  public var weekly = 0
  public var monthly = 0
  public var annual = 0
  public var within: Double?

  public init(
    latest: Int = 0, hourly: Int = 0, daily: Int = 0, weekly: Int = 0, monthly: Int = 0, annual: Int = 0,
    within: Double? = nil
  ) {
    self.latest = latest
    self.hourly = hourly
    self.daily = daily
    self.weekly = weekly
    self.monthly = monthly
    self.annual = annual
    self.within = within
  }

  /// A policy that keeps nothing by rule (only what is never removed).
  public var isEmpty: Bool { self == RetentionPolicy() }

  /// The calendar periods, with their rule names and counts.
  var periods: [(rule: String, count: Int, components: Set<Calendar.Component>)] {
    [
      ("hourly", hourly, [.year, .month, .day, .hour]),
      ("daily", daily, [.year, .month, .day]),
      ("weekly", weekly, [.yearForWeekOfYear, .weekOfYear]),
      ("monthly", monthly, [.year, .month]),
      ("annual", annual, [.year]),
    ]
  }
}
