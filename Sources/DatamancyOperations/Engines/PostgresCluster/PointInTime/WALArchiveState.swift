import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import DatamancyStorage
import Foundation

/// One source's WAL archive as a whole: its segments, timelines and base backup
/// labels, from one listing. It answers what recovery needs to know: which
/// timeline a base backup's WAL continues on, which segments are missing, and up
/// to when the archive can recover.
public struct WALArchiveState: Sendable {
  public var source: String
  public var objects: [String: ObjectInfo]
  public var segmentSize: Int
  public var segments: [WALSegment]
  public var histories: [UInt32: TimelineHistory]
  public var labels: [BackupLabel]

  public init(
    source: String, objects: [String: ObjectInfo], segmentSize: Int, segments: [WALSegment],
    histories: [UInt32: TimelineHistory], labels: [BackupLabel]
  ) {
    self.source = source
    self.objects = objects
    self.segmentSize = segmentSize
    self.segments = segments
    self.histories = histories
    self.labels = labels
  }

  /// PostgreSQL's default, used until a segment says otherwise.
  public static let defaultSegmentSize = 16 << 20

  /// Archived files never change under their name (a re-push with other bytes is
  /// refused), so what was read of one — a label, a history, a segment's length —
  /// can be kept by a long-running reader such as `serve`.
  public final class Cache: Sendable {
    let files = Locked<[String: Data]>([:])
    let lengths = Locked<[String: Int]>([:])

    public init() {}
  }

  public static func read(_ repository: Repository, source: String, cache: Cache? = nil) throws
    -> WALArchiveState
  {
    let listed = try repository.walObjects(source: source)
    let segmentNames = listed.map(\.name).filter { WALSegment(name: $0, size: defaultSegmentSize) != nil }
    func file(_ name: String) throws -> Data? {
      if let kept = cache?.files.value[source + "/" + name] { return kept }
      let data = try repository.getWAL(source: source, name: name)
      if let data { cache?.files.withLock { $0[source + "/" + name] = data } }
      return data
    }
    // The segment size is the length of any segment; the newest is read (one object).
    var size = defaultSegmentSize
    if let newest = segmentNames.last {
      if let kept = cache?.lengths.value[source] {
        size = kept
      } else if let length = try repository.walLength(source: source, name: newest),
        WALSegment.isSegmentSize(length)
      {
        size = length
        cache?.lengths.withLock { $0[source] = length }
      }
    }
    var histories: [UInt32: TimelineHistory] = [:]
    var labels: [BackupLabel] = []
    for object in listed {
      if object.name.hasSuffix(".history"), let timeline = UInt32(object.name.prefix(8), radix: 16),
        let data = try file(object.name), let history = TimelineHistory.parse(data, timeline: timeline)
      {
        histories[timeline] = history
      } else if object.name.hasSuffix(".backup"), let data = try file(object.name),
        let label = BackupLabel.parse(data, file: object.name)
      {
        labels.append(label)
      }
    }
    return WALArchiveState(
      source: source,
      objects: Dictionary(listed.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }),
      segmentSize: size, segments: segmentNames.compactMap { WALSegment(name: $0, size: size) }.sorted(),
      histories: histories, labels: labels.sorted { $0.stopLSN < $1.stopLSN })
  }

  /// A timeline and the WAL positions it covers in one line of descent.
  public struct Span: Sendable {
    public var timeline: UInt32
    public var begin: UInt64
    public var end: UInt64?
  }

  /// The timelines from the first to `timeline`, each with where it begins and ends.
  public func descent(of timeline: UInt32) -> [Span] {
    guard let history = histories[timeline], !history.ancestors.isEmpty else {
      return [Span(timeline: timeline, begin: 0, end: nil)]
    }
    var spans: [Span] = []
    var begin: UInt64 = 0
    for ancestor in history.ancestors {
      spans.append(Span(timeline: ancestor.timeline, begin: begin, end: ancestor.end))
      begin = ancestor.end
    }
    spans.append(Span(timeline: timeline, begin: begin, end: nil))
    return spans
  }

  /// The newest timeline that descends from `timeline` at `lsn` (recovery's
  /// `recovery_target_timeline = 'latest'`).
  public func latestTimeline(from timeline: UInt32, at lsn: UInt64) -> UInt32 {
    histories.keys.filter { candidate in
      descent(of: candidate).contains { $0.timeline == timeline && ($0.end ?? .max) >= lsn }
    }.max().map { max($0, timeline) } ?? timeline
  }

  /// The WAL a base backup needs, in order, on the newest timeline that
  /// descends from it.
  public struct Chain: Sendable {
    public var base: BackupLabel
    public var timeline: UInt32
    /// Every segment from the base's start to the newest archived one, in order.
    public var expected: [WALSegment]
    /// The ones of `expected` not archived.
    public var missing: [WALSegment]
    /// The segments up to the first missing one.
    public var contiguous: [WALSegment]

    /// The base is recoverable: the WAL up to its stop position is archived.
    public var complete: Bool {
      (contiguous.last?.endLSN ?? 0) > base.stopLSN
    }

    /// Missing segments as runs, `A` or `A … B (N segments)`.
    public var gaps: [String] {
      var runs: [[WALSegment]] = []
      for segment in missing {
        if let last = runs.last?.last, last.number + 1 == segment.number {
          runs[runs.count - 1].append(segment)
        } else {
          runs.append([segment])
        }
      }
      return runs.map { run in
        run.count == 1 ? run[0].name : "\(run[0].name) … \(run.last!.name) (\(run.count) segments)"
      }
    }
  }

  public func chain(from base: BackupLabel) -> Chain {
    let timeline = latestTimeline(from: base.startTimeline, at: base.startLSN)
    let spans = descent(of: timeline)
    let start = base.startSegment(size: segmentSize).number
    /// PostgreSQL reads segment N from the newest timeline of the line that had
    /// begun by N.
    func timelineOf(_ number: UInt64) -> UInt32 {
      spans.last { WALSegment(timeline: $0.timeline, lsn: $0.begin, size: segmentSize).number <= number }?
        .timeline ?? timeline
    }
    let present = Set(segments)
    let newest = segments.filter { $0.number >= start && timelineOf($0.number) == $0.timeline }.last?.number
    var expected: [WALSegment] = []
    var missing: [WALSegment] = []
    var contiguous: [WALSegment] = []
    if let newest {
      for number in start...newest {
        let segment = WALSegment(timeline: timelineOf(number), number: number, size: segmentSize)
        expected.append(segment)
        if !present.contains(segment) {
          missing.append(segment)
        } else if missing.isEmpty {
          contiguous.append(segment)
        }
      }
    }
    return Chain(base: base, timeline: timeline, expected: expected, missing: missing, contiguous: contiguous)
  }

  /// When a segment was archived, by the storage's clock; it holds nothing
  /// written later than that.
  public func archived(_ segment: WALSegment) -> Date? { objects[segment.name]?.modified }
}
