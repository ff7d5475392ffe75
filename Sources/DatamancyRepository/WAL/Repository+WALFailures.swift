import DatamancyStorage
import Foundation

/// Failed `wal-push`es, kept where `status` and the metrics see them:
/// `wal/<source>/.failed/<file name>`, one sealed JSON record per file, the
/// newest failure winning. PostgreSQL retries a failed file until it is stored,
/// so a record whose file is archived since is history, and one whose file is
/// not archived means archiving is stuck there. Recording is best effort: when
/// the repository itself is what failed, the record cannot be written either
/// (PostgreSQL's `pg_stat_archiver` still counts it).
extension Repository {
  public struct WALFailure: Codable, Sendable {
    public var name: String
    public var time: Date
    public var reason: String
    /// The file is archived with other bytes than those pushed.
    public var conflict: Bool

    public init(name: String, time: Date, reason: String, conflict: Bool) {
      self.name = name
      self.time = time
      self.reason = reason
      self.conflict = conflict
    }
  }

  static func walFailureObject(_ source: String, _ name: String) -> String { "wal/\(source)/.failed/\(name)" }

  public func recordWALFailure(source: String, _ failure: WALFailure) throws {
    let object = Self.walFailureObject(source, failure.name)
    let json = try BackupSet.encoder.encode(failure)
    let sealed = try Sealing.seal(json, key: master.encryption, context: Self.walContext(source, object))
    try storageCall { try storage.put(object, data: sealed) }
  }

  /// Every recorded failure of a source; unreadable records are left out.
  public func walFailures(source: String) throws -> [WALFailure] {
    let prefix = "wal/\(source)/.failed/"
    return try storageCall { try storage.list(prefix: prefix) }.compactMap { object in
      guard let sealed = try? storage.get(object),
        let json = try? Sealing.open(sealed, key: master.encryption, context: Self.walContext(source, object))
      else { return nil }
      return try? BackupSet.decoder.decode(WALFailure.self, from: json)
    }.sorted { $0.time < $1.time }
  }

  public func deleteWALFailure(source: String, name: String) throws {
    try storageCall { try storage.delete(Self.walFailureObject(source, name)) }
  }
}
