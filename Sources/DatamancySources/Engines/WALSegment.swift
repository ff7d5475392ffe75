import Foundation

/// Where a WAL segment sits: its timeline and its number from the start of the
/// log. Its name, `TTTTTTTTXXXXXXXXYYYYYYYY`, spells the timeline, then the
/// number split in two: the "log" (number ÷ segments per 4 GiB) and the segment
/// within it; so the name of the next segment depends on the segment size
/// (16 MiB unless the cluster was made with `initdb --wal-segsize`).
public struct WALSegment: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var timeline: UInt32
  public var number: UInt64
  public var size: Int

  public init(timeline: UInt32, number: UInt64, size: Int) {
    self.timeline = timeline
    self.number = number
    self.size = size
  }

  /// The segment sizes PostgreSQL allows (`initdb --wal-segsize`): a power of
  /// two from 1 MiB to 1 GiB. Only such a size is used in arithmetic: a length
  /// read from a damaged repository could be anything.
  public static func isSegmentSize(_ size: Int) -> Bool {
    size >= 1 << 20 && size <= 1 << 30 && size & (size - 1) == 0
  }

  /// Parses a segment name (24 hex digits); nil for any other file, or for a
  /// size that is not a segment size.
  public init?(name: String, size: Int) {
    guard Self.isSegmentSize(size), name.utf8.count == 24, name.utf8.allSatisfy(Self.isUpperHex),
      let timeline = UInt32(name.prefix(8), radix: 16),
      let log = UInt64(name.dropFirst(8).prefix(8), radix: 16),
      let segment = UInt64(name.dropFirst(16), radix: 16), segment < Self.perLog(size)
    else { return nil }
    self.init(timeline: timeline, number: log * Self.perLog(size) + segment, size: size)
  }

  /// The segment holding `lsn` on `timeline`.
  public init(timeline: UInt32, lsn: UInt64, size: Int) {
    self.init(timeline: timeline, number: lsn / UInt64(Self.sizeInRange(size)), size: size)
  }

  static func isUpperHex(_ byte: UInt8) -> Bool { (48...57).contains(byte) || (65...70).contains(byte) }

  /// Callers pass checked sizes; this keeps a wrong one from dividing by zero.
  static func sizeInRange(_ size: Int) -> Int { min(max(size, 1), 1 << 30) }

  static func perLog(_ size: Int) -> UInt64 { 0x1_0000_0000 / UInt64(sizeInRange(size)) }

  public var name: String {
    let perLog = Self.perLog(size)
    return String(
      format: "%08X%08X%08X", timeline, UInt32(truncatingIfNeeded: number / perLog),
      UInt32(truncatingIfNeeded: number % perLog))
  }

  public var description: String { name }

  /// The first position after the segment (the end of the log's positions for
  /// the very last one).
  public var endLSN: UInt64 {
    let (next, past) = number.addingReportingOverflow(1)
    let (end, overflow) = next.multipliedReportingOverflow(by: UInt64(Self.sizeInRange(size)))
    return past || overflow ? .max : end
  }

  public static func < (lhs: WALSegment, rhs: WALSegment) -> Bool {
    (lhs.number, lhs.timeline) < (rhs.number, rhs.timeline)
  }
}

/// A WAL position, `X/Y` as PostgreSQL writes it (two hex numbers: the high and
/// low 32 bits).
public enum LSN {
  public static func parse(_ text: String) -> UInt64? {
    let parts = text.split(separator: "/")
    guard parts.count == 2, let high = UInt32(parts[0], radix: 16), let low = UInt32(parts[1], radix: 16)
    else { return nil }
    return UInt64(high) << 32 | UInt64(low)
  }

  public static func format(_ lsn: UInt64) -> String {
    String(format: "%X/%X", UInt32(lsn >> 32), UInt32(lsn & 0xFFFF_FFFF))
  }
}
