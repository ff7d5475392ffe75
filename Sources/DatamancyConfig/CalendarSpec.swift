import Foundation

/// A systemd calendar expression, the subset `serve --schedule` runs:
/// `[WEEKDAYS] [YEAR-MONTH-DAY] HOUR:MINUTE[:SECOND] [UTC]`, each field `*`, a
/// number, a range `A..B`, a list `A,B`, or a repetition `A/STEP` (`*:*:0/5` is
/// every five seconds). Times are UTC.
public struct CalendarSpec: Sendable {
  public struct Invalid: Error, CustomStringConvertible {
    public var text: String
    public var description: String {
      "schedule '\(text)' is not a calendar expression this scheduler understands"
    }
  }

  public let weekdays: Set<Int>?  // 0 = Sunday
  public let years: Set<Int>?
  public let months: Set<Int>?
  public let days: Set<Int>?
  public let hours: [Int]
  public let minutes: [Int]
  public let seconds: [Int]

  public static let fullNames = [
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
  ]
  public static let names = ["Sun": 0, "Mon": 1, "Tue": 2, "Wed": 3, "Thu": 4, "Fri": 5, "Sat": 6]
  public static let calendar: Calendar = {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar
  }()

  /// systemd's shorthands, as the expressions they stand for.
  public static let shorthands = [
    "minutely": "*-*-* *:*:00", "hourly": "*-*-* *:00:00", "daily": "*-*-* 00:00:00",
    "weekly": "Mon *-*-* 00:00:00", "monthly": "*-*-01 00:00:00", "yearly": "*-01-01 00:00:00",
    "annually": "*-01-01 00:00:00",
  ]

  public init(_ text: String) throws {
    var parts = (Self.shorthands[text] ?? text).split(separator: " ").map(String.init)
    if parts.last == "UTC" { parts.removeLast() }
    var weekdays: Set<Int>?
    if let first = parts.first, first.first?.isLetter == true {
      weekdays = try Self.weekdays(first, text)
      parts.removeFirst()
    }
    var date = "*-*-*"
    if parts.count == 2 { date = parts.removeFirst() }
    guard parts.count == 1 else { throw Invalid(text: text) }
    let dateFields = date.split(separator: "-").map(String.init)
    var timeFields = parts[0].split(separator: ":").map(String.init)
    if timeFields.count == 2 { timeFields.append("00") }
    guard dateFields.count == 3, timeFields.count == 3 else { throw Invalid(text: text) }
    self.weekdays = weekdays
    years = try Self.field(dateFields[0], 1970...2200, text)
    months = try Self.field(dateFields[1], 1...12, text)
    days = try Self.field(dateFields[2], 1...31, text)
    hours = (try Self.field(timeFields[0], 0...23, text) ?? Set(0...23)).sorted()
    minutes = (try Self.field(timeFields[1], 0...59, text) ?? Set(0...59)).sorted()
    seconds = (try Self.field(timeFields[2], 0...59, text) ?? Set(0...59)).sorted()
  }

  public static func field(_ text: String, _ range: ClosedRange<Int>, _ whole: String) throws -> Set<Int>? {
    if text == "*" { return nil }
    var values = Set<Int>()
    for part in text.split(separator: ",") {
      let stepParts = part.split(separator: "/")
      let step = stepParts.count == 2 ? Int(stepParts[1]) : 1
      guard let step, step > 0 else { throw Invalid(text: whole) }
      let base = String(stepParts[0])
      let bounds =
        base == "*" ? [range.lowerBound] : base.components(separatedBy: "..").compactMap { Int($0) }
      guard (1...2).contains(bounds.count), range.contains(bounds[0]) else { throw Invalid(text: whole) }
      let upper = bounds.count == 2 ? bounds[1] : (stepParts.count == 2 ? range.upperBound : bounds[0])
      guard range.contains(upper), upper >= bounds[0] else { throw Invalid(text: whole) }
      values.formUnion(stride(from: bounds[0], through: upper, by: step))
    }
    return values
  }

  public static func weekdays(_ text: String, _ whole: String) throws -> Set<Int> {
    var values = Set<Int>()
    for part in text.split(separator: ",") {
      // "Tue" or "Tuesday"; not "Tuesdays" or "tuesday", which systemd refuses too.
      let ends = part.components(separatedBy: "..").map { name in
        names[String(name.prefix(3))].flatMap { name.count == 3 || Self.fullNames[$0] == name ? $0 : nil }
      }
      guard let first = ends.first ?? nil, let last = ends.last ?? nil, first <= last else {
        throw Invalid(text: whole)
      }
      values.formUnion(first...last)
    }
    return values
  }

  public func dayMatches(_ day: Date) -> Bool {
    let c = Self.calendar.dateComponents([.year, .month, .day, .weekday], from: day)
    return (years?.contains(c.year!) ?? true) && (months?.contains(c.month!) ?? true)
      && (days?.contains(c.day!) ?? true) && (weekdays?.contains(c.weekday! - 1) ?? true)
  }

  /// The first time strictly after `time`, within five years.
  public func next(after time: Date) -> Date? {
    var day = Self.calendar.startOfDay(for: time)
    for _ in 0..<(366 * 5) {
      if dayMatches(day) {
        for h in hours {
          for m in minutes {
            for s in seconds {
              let candidate = day.addingTimeInterval(Double(h * 3600 + m * 60 + s))
              if candidate > time { return candidate }
            }
          }
        }
      }
      day = Self.calendar.date(byAdding: .day, value: 1, to: day)!
    }
    return nil
  }

  /// The last time at or before `time`, within five years.
  public func previous(before time: Date) -> Date? {
    var day = Self.calendar.startOfDay(for: time)
    for _ in 0..<(366 * 5) {
      if dayMatches(day) {
        for h in hours.reversed() {
          for m in minutes.reversed() {
            for s in seconds.reversed() {
              let candidate = day.addingTimeInterval(Double(h * 3600 + m * 60 + s))
              if candidate <= time { return candidate }
            }
          }
        }
      }
      day = Self.calendar.date(byAdding: .day, value: -1, to: day)!
    }
    return nil
  }
}
