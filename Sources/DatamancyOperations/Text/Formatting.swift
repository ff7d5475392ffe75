import Foundation

/// Human-readable sizes, durations and times, for terminals and notifications.
/// Total for every input: a duration from a configuration (an RPO of 292 billion
/// years) or a clock gone wrong is printed, never a trap.
public enum Formatting {
  public static func bytes(_ count: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
    var value = Double(count)
    var unit = 0
    while abs(value) >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
  }

  /// Seconds below a minute, minutes below an hour, hours below 48 hours, then days:
  /// an age of 1,000 hours reads as 41d16h.
  public static func seconds(_ value: Double) -> String {
    guard value.isFinite else { return value > 0 ? "forever" : "-" }
    if value < 60 { return String(format: "%.1fs", value) }
    if value < 3600 { return String(format: "%dm%02ds", Int(value) / 60, Int(value) % 60) }
    if value < 48 * 3600 { return String(format: "%dh%02dm", Int(value) / 3600, Int(value) % 3600 / 60) }
    let days = value / 86400
    guard days < 1e9 else { return String(format: "%.3gd", days) }
    return String(format: "%dd%02dh", Int(days), Int(value) % 86400 / 3600)
  }

  public static func time(_ date: Date) -> String { utc(date, "yyyy-MM-dd HH:mm:ss'Z'") }

  /// `2026-12-01 16:59:00.123456+00`, as PostgreSQL's settings take a time (it
  /// refuses ISO 8601's T and Z).
  public static func postgresTime(_ date: Date) -> String { utc(date, "yyyy-MM-dd HH:mm:ss.SSSSSS'+00'") }

  static func utc(_ date: Date, _ format: String) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = format
    return formatter.string(from: date)
  }

  /// "1 table", "3 tables".
  public static func count(_ number: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(number) \(number == 1 ? singular : plural ?? singular + "s")"
  }

  /// A message cut to `limit` characters, for a phone's notification.
  public static func short(_ text: String, limit: Int = 160) -> String {
    let line = text.replacingOccurrences(of: "\n", with: " ")
    return line.count <= limit ? line : line.prefix(limit - 1) + "…"
  }

  /// Pads cells into aligned columns.
  public static func table(_ rows: [[String]]) -> String {
    guard let width = rows.map(\.count).max() else { return "" }
    let widths = (0..<width).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
    }
    return rows.map { row in
      row.enumerated().map { i, cell in
        i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
      }.joined(separator: "  ").replacingOccurrences(of: " +$", with: "", options: .regularExpression)
    }.joined(separator: "\n")
  }
}
