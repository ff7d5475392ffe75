import Foundation

/// Whether a set stays, and every rule that keeps it.
public struct RetentionDecision: Sendable, Encodable {
  public var set: String
  public var time: Date
  public var keep: Bool
  /// `item: rule` for each item and rule that keeps the set; `pinned`.
  public var reasons: [String]
}

/// Applies retention policies to a repository's sets.
///
/// The policy applies to each item's history separately, and only good copies
/// count: a failed item neither fills a period nor is kept by a rule. A set stays
/// when any rule keeps any of its items, and always when it is pinned, holds the
/// newest good copy of an item, or is younger than an item's newest good copy (so
/// a run of failures never costs the last good backup, and stays on record). A
/// safety copy saved by a forced restore stays until it is forgotten by its id.
public enum Retention {
  public static let pinTag = "pinned"

  /// One decision per set, in the order given. `policy` gives each item's source
  /// its policy; periods are calendar periods of `calendar` (UTC unless set).
  public static func decide(
    _ sets: [BackupSet], policy: (String) -> RetentionPolicy, calendar: Calendar = utcCalendar
  ) -> [RetentionDecision] {
    var reasons: [String: [String]] = [:]
    func keep(_ set: BackupSet, _ why: String) { reasons[set.id, default: []].append(why) }
    for set in sets where set.tags.contains(pinTag) { keep(set, pinTag) }
    // A safety copy is no item's history: it is kept until forgotten by its id.
    for set in sets where set.isSafetyCopy { keep(set, BackupSet.safetyCopyTag) }
    let newestFirst = sets.filter { !$0.isSafetyCopy }.sorted { ($0.time, $0.id) > ($1.time, $1.id) }
    var histories: [String: (source: String, sets: [BackupSet])] = [:]
    for set in newestFirst {
      for item in set.items {
        histories[item.name, default: (item.source, [])].sets.append(set)
      }
    }
    for (name, history) in histories.sorted(by: { $0.key < $1.key }) {
      let good = history.sets.filter { $0.hasGood(name) }
      guard let newest = good.first else { continue }
      keep(newest, "\(name): newest good copy")
      for set in history.sets where set.time > newest.time {
        keep(set, "\(name): newer than its newest good copy")
      }
      let rules = policy(history.source)
      for set in good.prefix(rules.latest) { keep(set, "\(name): latest") }
      for period in rules.periods where period.count > 0 {
        var seen: [DateComponents] = []
        for set in good {
          let key = calendar.dateComponents(period.components, from: set.time)
          guard seen.last != key else { continue }
          seen.append(key)
          keep(set, "\(name): \(period.rule)")
          if seen.count == period.count { break }
        }
        if seen.count < period.count, let oldest = good.last {
          keep(oldest, "\(name): \(period.rule) (oldest)")
        }
      }
      if let within = rules.within {
        for set in good where newest.time.timeIntervalSince(set.time) <= within {
          keep(set, "\(name): within")
        }
      }
    }
    return sets.map { set in
      let why = reasons[set.id] ?? []
      return RetentionDecision(set: set.id, time: set.time, keep: !why.isEmpty, reasons: unique(why))
    }
  }

  public static let utcCalendar: Calendar = {
    var calendar = Calendar(identifier: .iso8601)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar
  }()

  static func unique(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { seen.insert($0).inserted }
  }
}
