import DatamancyRepository
import Foundation

/// The outcome of a run that concerns no one set — a copy to another
/// repository, a prune — kept in the repository (`activity/`) so that `status`,
/// the metrics and the dashboard show its last outcome, failed ones included.
public struct ActivityRecord: Sendable, Codable, Equatable {
  public enum Kind: String, Sendable, Codable, CaseIterable {
    case copy, prune
  }

  public var kind: Kind
  /// When the run ended.
  public var time: Date
  public var passed: Bool
  /// A copy's other repository, as the operator named it.
  public var target: String?
  /// What was done ("2 sets copied", "3 packs deleted, 1.2 MB freed").
  public var summary: String
  public var error: String?
  public var host: String
  public var durationSeconds: Double

  public init(
    kind: Kind, time: Date, passed: Bool, target: String? = nil, summary: String, error: String? = nil,
    host: String, durationSeconds: Double
  ) {
    self.kind = kind
    self.time = time
    self.passed = passed
    self.target = target
    self.summary = summary
    self.error = error
    self.host = host
    self.durationSeconds = durationSeconds
  }

  /// How many records of each kind `status` opens, newest first: a copy target
  /// not copied to within this many copies no longer shows.
  public static let readLimit = 32
  /// How many records of each kind and target `prune` keeps.
  public static let keptByPrune = 20

  /// The newest records of every kind (`readLimit` of each). A record that
  /// cannot be read is left out here; `check` reports it.
  public static func read(_ repository: Repository, cache: FileCache<Data>? = nil) throws -> [ActivityRecord]
  {
    try repository.newestActivity(kinds: Kind.allCases.map(\.rawValue), limit: readLimit, cache: cache)
      .compactMap { try? BackupSet.decoder.decode(ActivityRecord.self, from: $0) }
  }

  /// The newer of two records; of two with the same time, a failed one.
  static func newest(_ known: Self?, _ other: Self) -> Self {
    guard let known, known.time >= other.time else { return other }
    return known.time == other.time && known.passed && !other.passed ? other : known
  }
}

extension OperationContext {
  /// Runs `body` (a copy, a prune) and records its outcome, passed or failed,
  /// in `repository`. Recording is best effort: a repository that cannot take
  /// the record gets a warning, and the run's own outcome (its exit code, its
  /// notification) stands.
  public func recorded<T>(
    _ kind: ActivityRecord.Kind, target: String? = nil, in repository: Repository,
    summary: (T) -> String, _ body: () throws -> T
  ) throws -> T {
    let start = now()
    func record(passed: Bool, summary: String, error: String?) {
      let end = now()
      let record = ActivityRecord(
        kind: kind, time: end, passed: passed, target: target, summary: summary, error: error, host: host,
        durationSeconds: max(0, end.timeIntervalSince(start)))
      do {
        try repository.saveActivity(BackupSet.encoder.encode(record), kind: kind.rawValue, time: end)
      } catch {
        logger.warning(
          "the outcome of this \(kind.rawValue) could not be recorded in the repository: \(error: error)")
      }
    }
    do {
      let result = try body()
      record(passed: true, summary: summary(result), error: nil)
      return result
    } catch {
      record(passed: false, summary: "", error: "\(error: error)")
      throw error
    }
  }

}
