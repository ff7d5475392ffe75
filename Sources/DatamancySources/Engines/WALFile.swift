import Foundation

/// A file PostgreSQL hands to `archive_command`: a WAL segment
/// (`TTTTTTTTXXXXXXXXYYYYYYYY`, 24 hex digits), a timeline history
/// (`TTTTTTTT.history`), a backup label (`…24….XXXXXXXX.backup`) or a partial
/// segment (`….partial`). A segment's first page header must agree with its name,
/// its size, and the cluster's system id, so a file from another cluster, a
/// truncated copy or a renamed one is refused before it is stored.
public struct WALFile: Sendable {
  public enum Kind: Sendable { case segment, history, backupLabel, partial }

  public struct Refused: Error, CustomStringConvertible {
    public var description: String
  }

  public let name: String
  public let kind: Kind

  /// Nil when `name` is not a WAL file name.
  public init?(name: String) {
    let hex = Set("0123456789ABCDEF")
    func isHex(_ text: Substring, _ count: Int) -> Bool {
      text.count == count && text.allSatisfy(hex.contains)
    }
    let parts = name.split(separator: ".", omittingEmptySubsequences: false)
    switch parts.count {
    case 1 where isHex(parts[0], 24): kind = .segment
    case 2 where isHex(parts[0], 8) && parts[1] == "history": kind = .history
    case 2 where isHex(parts[0], 24) && parts[1] == "partial": kind = .partial
    case 3 where isHex(parts[0], 24) && isHex(parts[1], 8) && parts[2] == "backup": kind = .backupLabel
    default: return nil
    }
    self.name = name
  }

  /// Checks a segment's long page header (`XLogLongPageHeaderData`): the
  /// long-header flag, the timeline, the page address of its first byte, the
  /// segment size (the file's size), and, when known, the cluster's system id.
  public func check(_ bytes: Data, systemID: UInt64?) throws {
    guard kind == .segment || kind == .partial else { return }
    guard WALSegment.isSegmentSize(bytes.count) else {
      throw Refused(
        description:
          "\(name) is \(bytes.count) bytes, not a WAL segment's size (a power of two, 1 MiB to 1 GiB)")
    }
    let size = UInt64(bytes.count)
    func integer<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
      bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }
    let info = integer(2, UInt16.self)
    let timeline = integer(4, UInt32.self)
    let address = integer(8, UInt64.self)
    let system = integer(24, UInt64.self)
    let segmentSize = integer(32, UInt32.self)
    guard info & 0x0002 != 0 else {
      throw Refused(description: "\(name) does not start with a WAL segment's long page header")
    }
    // The name's segment: a number past the last segment of a 4 GiB "log" is
    // no segment of this size.
    // The first segment of a timeline begun mid-segment (a promotion after a
    // recovery to a point in time) starts with the pages PostgreSQL copied from
    // the timeline it branched from: its header may name an older timeline.
    let segment = WALSegment(name: String(name.prefix(24)), size: bytes.count)
    guard let segment, timeline >= 1, timeline <= segment.timeline, address == segment.number * size,
      UInt64(segmentSize) == size
    else {
      throw Refused(
        description: "\(name): its header says timeline \(timeline), position \(String(address, radix: 16)), "
          + "segment size \(segmentSize): it is not the segment its name says")
    }
    if let systemID, system != systemID {
      throw Refused(
        description: "\(name) belongs to the cluster with system id \(system), not to this one (\(systemID))")
    }
  }

  /// The cluster's system id in a segment's long page header (after the
  /// 24-byte page header); nil for anything shorter or without that header.
  public static func systemID(inSegment bytes: Data) -> UInt64? {
    guard bytes.count >= 32 else { return nil }
    let header = [UInt8](bytes.prefix(32))
    guard header[2] & 0x02 != 0 else { return nil }
    return header[24..<32].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
  }

  /// The cluster's system id from `global/pg_control` under `dataDirectory` (the
  /// first 8 bytes); nil when it cannot be read there.
  public static func systemID(dataDirectory: String) -> UInt64? {
    guard let handle = FileHandle(forReadingAtPath: dataDirectory + "/global/pg_control"),
      let head = try? handle.read(upToCount: 8), head.count == 8
    else { return nil }
    return head.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
  }
}
