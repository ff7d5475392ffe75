import DatamancySources
import Foundation

/// What a `.backup` file in the archive says about one base backup: where its
/// WAL starts and stops, when, on which timeline, and its label. PostgreSQL
/// archives it when the backup ends, after the WAL up to the stop position.
public struct BackupLabel: Sendable {
  public var file: String
  public var startLSN: UInt64
  public var stopLSN: UInt64
  public var startTimeline: UInt32
  public var startTime: Date
  public var stopTime: Date
  public var label: String

  public func startSegment(size: Int) -> WALSegment {
    WALSegment(timeline: startTimeline, lsn: startLSN, size: size)
  }

  /// Parses `START WAL LOCATION: 0/2000028 (file 0000…02)`, `STOP WAL LOCATION: …`,
  /// `START TIME: 2026-12-01 18:50:05 UTC`, `STOP TIME: …`, `START TIMELINE: 1`,
  /// `LABEL: …`.
  public static func parse(_ data: Data, file: String) -> BackupLabel? {
    var fields: [String: String] = [:]
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss zzz"
    func position(_ key: String) -> UInt64? {
      fields[key].flatMap { $0.split(separator: " ").first }.flatMap { LSN.parse(String($0)) }
    }
    guard let start = position("START WAL LOCATION"), let stop = position("STOP WAL LOCATION"),
      let startTime = fields["START TIME"].flatMap(formatter.date(from:)),
      let stopTime = fields["STOP TIME"].flatMap(formatter.date(from:)),
      let timeline = fields["START TIMELINE"].flatMap({ UInt32($0) }) ?? UInt32(file.prefix(8), radix: 16)
    else { return nil }
    return BackupLabel(
      file: file, startLSN: start, stopLSN: stop, startTimeline: timeline, startTime: startTime,
      stopTime: stopTime, label: fields["LABEL"] ?? "")
  }
}

/// A timeline's `.history` file: each ancestor timeline and the position where
/// it was left (`1	0/3000158	before 2026-12-01 17:00:00+00`), oldest first.
public struct TimelineHistory: Sendable {
  public struct Switch: Sendable {
    public var timeline: UInt32
    public var end: UInt64
  }

  public var timeline: UInt32
  public var ancestors: [Switch]

  public static func parse(_ data: Data, timeline: UInt32) -> TimelineHistory? {
    var ancestors: [Switch] = []
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
      let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
      guard let first = fields.first, !first.hasPrefix("#") else { continue }
      guard fields.count >= 2, let parent = UInt32(first), let end = LSN.parse(String(fields[1])) else {
        return nil
      }
      ancestors.append(Switch(timeline: parent, end: end))
    }
    return TimelineHistory(timeline: timeline, ancestors: ancestors)
  }
}
