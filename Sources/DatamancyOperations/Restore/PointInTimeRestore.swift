import DatamancyRepository
import DatamancySources
import Foundation

/// `restore --source NAME --to-time TIME --to DIR`: the newest base backup of a
/// `postgres_pitr` source that ended before TIME, its WAL chain checked in the
/// archive, extracted into DIR with `recovery.signal` and the settings that make
/// `pg_ctl -D DIR start` fetch WAL through `wal-fetch` and stop at TIME.
public struct PointInTimeRestore {
  public struct Refused: Error, CustomStringConvertible {
    public var description: String
  }

  /// What a `.backup` file in the archive says about one base backup.
  public struct BackupLabel: Sendable {
    public var file: String
    public var startSegment: String
    public var startTime: Date
    public var stopTime: Date
    public var label: String
  }

  public struct BaseBackup: Sendable {
    public var set: BackupSet
    public var item: BackupItem
    public var label: BackupLabel
  }

  public struct Outcome: Sendable {
    public var base: BaseBackup
    public var segments: Int
    public var folder: String
  }

  let repository: Repository
  let context: OperationContext
  let source: String

  public init(repository: Repository, context: OperationContext, source: String) {
    self.repository = repository
    self.context = context
    self.source = source
  }

  /// Every good base backup of the source that the archive has a label for.
  public func baseBackups() throws -> [BaseBackup] {
    let labels = try repository.walNames(source: source).filter { $0.hasSuffix(".backup") }.compactMap {
      name in
      try repository.getWAL(source: source, name: name).flatMap { Self.parse($0, file: name) }
    }
    var found: [BaseBackup] = []
    for set in try repository.sets() {
      guard let item = set.items.first(where: { $0.name == "\(source)/cluster" && $0.status == .ok }) else {
        continue
      }
      // The label's times have whole seconds; the backup ran inside the set's run.
      let from = set.time.addingTimeInterval(-1)
      let to = set.time.addingTimeInterval(set.durationSeconds + 1)
      if let label = labels.first(where: { $0.startTime >= from && $0.startTime <= to }) {
        found.append(BaseBackup(set: set, item: item, label: label))
      }
    }
    return found.sorted { $0.label.stopTime < $1.label.stopTime }
  }

  /// Picks the base backup for `target` (nil: the end of the archive) and checks
  /// that the archive holds every segment from its start to the newest one.
  public func plan(target: Date?) throws -> (BaseBackup, [String]) {
    let bases = try baseBackups()
    guard let oldest = bases.first else {
      throw Refused(
        description:
          "\(source) has no base backup whose WAL is archived: run 'backup --source \(source)' with "
          + "archive_command set to wal-push (docs/operations.md)")
    }
    guard let base = bases.last(where: { target == nil || $0.label.stopTime <= target! }) else {
      throw Refused(
        description: "\(Formatting.time(target!)) is before the end of the oldest base backup "
          + "(\(Formatting.time(oldest.label.stopTime))): the recoverable window starts there")
    }
    let segments = try chain(from: base.label.startSegment)
    return (base, segments)
  }

  /// The segments from `start` to the newest archived one on its timeline; a
  /// missing one is refused by name.
  func chain(from start: String) throws -> [String] {
    let timeline = start.prefix(8)
    let archived = try repository.walNames(source: source).filter { $0.count == 24 && $0.hasPrefix(timeline) }
    let present = Set(archived)
    guard let newest = archived.max(), newest >= start else {
      throw Refused(description: "the archive of \(source) has no WAL from \(start) on")
    }
    var chain: [String] = []
    var current = start
    while current <= newest {
      guard present.contains(current) else {
        throw Refused(
          description:
            "the archive of \(source) misses WAL segment \(current) (between \(start) and \(newest)): "
            + "recovery cannot pass it; see docs/operations.md")
      }
      chain.append(current)
      current = Self.next(current)
    }
    return chain
  }

  /// The segment after `name`, for 16 MiB segments (256 per log file).
  static func next(_ name: String) -> String {
    let log = UInt32(name.dropFirst(8).prefix(8), radix: 16)!
    let segment = UInt32(name.dropFirst(16), radix: 16)!
    let (nextLog, nextSegment) = segment >= 0xFF ? (log + 1, UInt32(0)) : (log, segment + 1)
    return String(name.prefix(8)) + String(format: "%08X%08X", nextLog, nextSegment)
  }

  /// Extracts the base backup into `folder` (which must not exist) and writes
  /// the recovery settings.
  public func run(target: Date?, into folder: String, restoreCommand: String) throws -> Outcome {
    let (base, segments) = try plan(target: target)
    guard !FileManager.default.fileExists(atPath: folder) else {
      throw Refused(description: "\(folder) exists; recovery needs a new, empty data folder")
    }
    let staging = folder + ".restoring"
    try? FileManager.default.removeItem(atPath: staging)
    var restorer = ItemRestorer(repository: repository, runner: context.runner)
    let extracted = try restorer.restore(base.item, of: base.set, into: staging)
    guard rename(extracted, folder) == 0 else {
      throw Refused(
        description: "cannot move the data folder to \(folder): \(String(cString: strerror(errno)))")
    }
    try? FileManager.default.removeItem(atPath: staging)
    var settings = [
      "", "# Written by datamancy-backup restore --to-time: recover from the archive, then promote.",
      "restore_command = '\(restoreCommand)'",
      "recovery_target_action = 'promote'",
      "# Archiving stays off until this server is meant to archive (into which source?).",
      "archive_mode = off",
    ]
    if let target { settings.append("recovery_target_time = '\(Self.postgresTime(target))'") }
    let conf = folder + "/postgresql.auto.conf"
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: conf))
    handle.seekToEndOfFile()
    handle.write(Data((settings.joined(separator: "\n") + "\n").utf8))
    try handle.close()
    FileManager.default.createFile(atPath: folder + "/recovery.signal", contents: Data())
    chmod(folder, 0o700)
    return Outcome(base: base, segments: segments.count, folder: folder)
  }

  /// `2026-12-01 16:59:00.123456+00`: PostgreSQL refuses ISO 8601 with T and Z.
  static func postgresTime(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSSSSS'+00'"
    return formatter.string(from: date)
  }

  /// Parses a `.backup` file: `START WAL LOCATION: 0/2000028 (file 0000…02)`,
  /// `START TIME: 2026-12-01 18:50:05 UTC`, `STOP TIME: …`, `LABEL: …`.
  static func parse(_ data: Data, file: String) -> BackupLabel? {
    var fields: [String: String] = [:]
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss zzz"
    guard let location = fields["START WAL LOCATION"], let open = location.range(of: "(file "),
      let start = fields["START TIME"].flatMap(formatter.date(from:)),
      let stop = fields["STOP TIME"].flatMap(formatter.date(from:))
    else { return nil }
    let segment = String(location[open.upperBound...].prefix(24))
    return BackupLabel(
      file: file, startSegment: segment, startTime: start, stopTime: stop, label: fields["LABEL"] ?? "")
  }
}
