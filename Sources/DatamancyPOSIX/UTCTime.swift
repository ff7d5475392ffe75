import Foundation

/// Times as this program writes and reads them: ISO 8601 in UTC
/// (`2026-12-01T16:59:00.123Z`), the one format of set files, reports, `--time`,
/// `--to-time`, storage listings and the log file.
public enum UTCTime {
  private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
  private static let whole = Date.ISO8601FormatStyle()

  /// `2026-12-01T16:59:00.123Z`: milliseconds, so times within one second still sort.
  public static func format(_ date: Date) -> String { date.formatted(withFraction) }

  /// An ISO 8601 time with or without fractional seconds; nil for anything else.
  public static func parse(_ text: String) -> Date? {
    (try? Date(text, strategy: withFraction)) ?? (try? Date(text, strategy: whole))
  }
}
