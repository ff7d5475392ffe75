import DatamancyRepository
import Foundation
import XCTest

/// The retention policy over generated histories, with the kept sets written out.
final class RetentionTests: XCTestCase {
  static let format: Date.ISO8601FormatStyle = .iso8601

  static func date(_ text: String) -> Date {
    try! Date(text + (text.count == 10 ? "T02:00:00Z" : ""), strategy: format)
  }

  /// A set at `time` holding `items` (name → good?), its id the time.
  static func set(_ time: Date, _ items: [String: Bool] = ["db/a": true], tags: [String] = []) -> BackupSet {
    var set = BackupSet(
      time: time, host: "h", tags: tags, durationSeconds: 1,
      items: items.sorted { $0.key < $1.key }.map { name, good in
        BackupItem(
          name: name, source: String(name.split(separator: "/")[0]), format: .stream,
          status: good ? .ok : .failed,
          rawBytes: 1, storedBytes: 1, durationSeconds: 1, chunks: [])
      })
    set.id = time.formatted(format)
    return set
  }

  static func days(from start: String, to end: String) -> [Date] {
    stride(from: date(start), through: date(end), by: 86400).map { $0 }
  }

  func kept(_ sets: [BackupSet], _ policy: RetentionPolicy) -> [String] {
    kept(sets) { _ in policy }
  }

  func kept(_ sets: [BackupSet], _ policy: (String) -> RetentionPolicy) -> [String] {
    Retention.decide(sets, policy: policy).filter(\.keep).map { String($0.set.prefix(10)) }.sorted()
  }

  func testDefaultPolicyOnADailyHistoryKeepsWhatAPersonWouldPick() {
    let sets = Self.days(from: "2025-06-01", to: "2026-11-28").map { Self.set($0) }
    let seed = RetentionPolicy(latest: 30, hourly: 24, daily: 7, weekly: 4, monthly: 12, annual: 3)
    let lastThirtyDays = Self.days(from: "2026-10-30", to: "2026-11-28").map {
      String($0.formatted(Self.format).prefix(10))
    }
    let monthEnds = [
      "2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30",
      "2026-07-31", "2026-08-31", "2026-09-30",
    ]
    // Annual: 2026 and 2025 (its last day); the rule runs out of years, so the oldest too.
    XCTAssertEqual(kept(sets, seed), (["2025-06-01"] + monthEnds + lastThirtyDays).sorted())
  }

  func testTable() {
    let hourly = stride(
      from: Self.date("2024-11-28T00:00:00Z"), through: Self.date("2026-11-28T12:00:00Z"), by: 3600)
    // Hourly for two years, with a gap from 2026-10-01 to 2026-10-21.
    let gappy = hourly.filter {
      $0 < Self.date("2026-10-01T00:00:00Z") || $0 >= Self.date("2026-10-22T00:00:00Z")
    }
    .map { Self.set($0) }
    let cases: [(String, [BackupSet], RetentionPolicy, [String])] = [
      (
        "daily over hourly backups: the newest of each of the last 7 days", gappy, RetentionPolicy(daily: 7),
        (22...28).map { "2026-11-\($0)" }
      ),
      (
        "weekly skips the weeks without backups (the gap)", gappy, RetentionPolicy(weekly: 8),
        [
          "2026-09-27", "2026-09-30", "2026-10-25", "2026-11-01", "2026-11-08", "2026-11-15", "2026-11-22",
          "2026-11-28",
        ]
      ),
      (
        "monthly: October's newest is its last day even after the gap", gappy, RetentionPolicy(monthly: 3),
        ["2026-09-30", "2026-10-31", "2026-11-28"]
      ),
      (
        "annual runs out of years: the oldest is kept", gappy, RetentionPolicy(annual: 5),
        ["2024-11-28", "2024-12-31", "2025-12-31", "2026-11-28"]
      ),
    ]
    for (name, sets, policy, expected) in cases {
      XCTAssertEqual(Array(Set(kept(sets, policy))).sorted(), expected.sorted(), name)
    }
  }

  func testHourlyRuleKeepsTheNewestOfEachHour() {
    let sets = stride(
      from: Self.date("2026-11-28T00:00:00Z"), through: Self.date("2026-11-28T05:45:00Z"), by: 900
    )
    .map { Self.set($0) }
    let ids = Retention.decide(sets) { _ in RetentionPolicy(hourly: 3) }.filter(\.keep).map(\.set).sorted()
    XCTAssertEqual(ids, ["2026-11-28T03:45:00Z", "2026-11-28T04:45:00Z", "2026-11-28T05:45:00Z"])
  }

  func testAPauseInBackupsNeverDeletesEverything() {
    // Backups stopped two months ago: keep_within counts from the newest good copy, not now.
    let sets = Self.days(from: "2026-01-01", to: "2026-09-30").map { Self.set($0) }
    XCTAssertEqual(
      kept(sets, RetentionPolicy(within: 3 * 86400)),
      ["2026-09-27", "2026-09-28", "2026-09-29", "2026-09-30"])
  }

  func testFailedRunsNeverCostAGoodCopy() {
    let days = Self.days(from: "2026-11-01", to: "2026-11-10")
    // db/a fails in the last four runs; db/b is fine throughout.
    let sets = days.enumerated().map { i, day in Self.set(day, ["db/a": i < 6, "db/b": true]) }
    XCTAssertEqual(
      kept(sets, RetentionPolicy(latest: 2)),
      // b: latest 2 (09, 10); a: latest 2 good (05, 06), 06 also its newest good copy;
      // 07-10 are newer than a's newest good copy.
      ["2026-11-05", "2026-11-06", "2026-11-07", "2026-11-08", "2026-11-09", "2026-11-10"])
    let allFailed = days.map { Self.set($0, ["db/a": false]) }
    XCTAssertEqual(kept(allFailed, RetentionPolicy(latest: 1)), [], "nothing good to protect")
  }

  func testPoliciesPerSourceAddUpAndPinsStay() {
    let days = Self.days(from: "2026-11-01", to: "2026-11-10")
    var sets = days.map { Self.set($0, ["x/one": true, "y/two": true]) }
    sets[0].tags = [Retention.pinTag]
    let policies = ["x": RetentionPolicy(latest: 1), "y": RetentionPolicy(latest: 3)]
    XCTAssertEqual(
      kept(sets) { policies[$0]! }, ["2026-11-01", "2026-11-08", "2026-11-09", "2026-11-10"])
    let reasons = Retention.decide(sets) { policies[$0]! }
    XCTAssertEqual(reasons.first?.reasons, ["pinned"])
    XCTAssertTrue(reasons.last!.reasons.contains("x/one: latest"))
    XCTAssertTrue(reasons.last!.reasons.contains("y/two: newest good copy"))
  }
}
