import DatamancyOperations
import Foundation

/// Times and sizes for pages: UTC, formatted without a `DateFormatter` per call
/// (a page of a thousand sets formats thousands of times).
enum WebFormat {
  /// `2026-12-01 02:00:00Z`. Total: a time no calendar shows (from a damaged or
  /// hostile file) prints as `-`, never a trap.
  static func time(_ date: Date) -> String {
    let value = date.timeIntervalSince1970.rounded(.down)
    // Years 1..9999: gmtime_r and the four-digit format both hold them.
    guard value.isFinite, value >= -62_135_596_800, value < 253_402_300_800 else { return "-" }
    var seconds = time_t(value)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    return String(
      format: "%04d-%02d-%02d %02d:%02d:%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
      parts.tm_hour, parts.tm_min, parts.tm_sec)
  }

  /// `2026-12-01`.
  static func day(_ date: Date) -> String { String(time(date).prefix(10)) }

  /// `02:00`, for a chart whose points all fall on one day.
  static func clock(_ date: Date) -> String { String(time(date).dropFirst(11).prefix(5)) }

  /// Bytes counted in a `Double` (sums, chart values): clamped into `Int` first.
  static func bytes(_ count: Double) -> String {
    guard count.isFinite else { return "-" }
    return bytes(Int(max(min(count, 9.0e18), -9.0e18)))
  }

  static func bytes(_ count: Int) -> String { Formatting.bytes(count) }

  static func seconds(_ value: Double) -> String { Formatting.seconds(value) }

  /// An age such as `3h 12m`, `2d 4h`.
  static func age(_ seconds: Double) -> String {
    guard seconds.isFinite, abs(seconds) < 1e15 else { return Formatting.seconds(seconds) }
    let minutes = Int(seconds / 60)
    if minutes < 60 { return "\(minutes)m" }
    if minutes < 48 * 60 { return "\(minutes / 60)h \(minutes % 60)m" }
    return "\(minutes / 1440)d \(minutes % 1440 / 60)h"
  }

  static func ratio(_ value: Double) -> String { String(format: "%.2fx", value) }
}
