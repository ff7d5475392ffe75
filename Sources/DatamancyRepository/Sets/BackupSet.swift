import DatamancyPOSIX
import Foundation

/// One backup run: the items it stored and how each went. Stored sealed as
/// `snapshots/<sha256 of the file>` with JSON inside (see docs/repository-format.md).
public struct BackupSet: Codable, Sendable {
  public enum Status: String, Codable, Sendable {
    /// Every item was stored.
    case complete
    /// Some items failed; the others are good.
    case partial
    /// No item was stored.
    case failed
  }

  /// The storage id (hash of the sealed file); not part of the JSON.
  public var id: String = ""
  public var time: Date
  public var host: String
  public var status: Status
  public var tags: [String]
  public var durationSeconds: Double
  public var items: [BackupItem]
  /// For a set copied from another repository (`copy`), the id of the set first
  /// made by a backup; copies of copies keep it. Set ids differ between
  /// repositories (each seals its own files), so this is how `copy` knows what the
  /// other side already holds.
  public var origin: String?
  /// The configuration file the backup ran with, as text (its secrets are
  /// references, never values): what `config restore` writes back after the
  /// host is lost. Nil in sets made without a configuration file, and in sets
  /// made before sets carried it.
  public var configuration: String?

  enum CodingKeys: String, CodingKey {
    case time, host, status, tags, durationSeconds, items, origin, configuration
  }

  public init(
    time: Date, host: String, tags: [String] = [], durationSeconds: Double, items: [BackupItem]
  ) {
    self.time = time
    self.host = host
    self.tags = tags
    self.durationSeconds = durationSeconds
    self.items = items
    status = .complete
    updateStatus()
  }

  /// Sets `status` from the items': `failed` when every item failed, `partial`
  /// when some did or some left paths unread, else `complete`.
  public mutating func updateStatus() {
    let failures = items.filter { $0.status == .failed }.count
    let incomplete = items.contains { !($0.unreadable ?? []).isEmpty }
    status =
      failures == items.count && failures > 0
      ? .failed : (failures > 0 || incomplete ? .partial : .complete)
  }

  public var shortID: String { String(id.prefix(8)) }

  /// The tag of the set a forced restore saves of the database it replaces.
  public static let safetyCopyTag = "pre-restore"

  /// A copy saved before a restore replaced a database: not a backup run. It is
  /// never `latest`, never an item's newest good copy, and never what an RPO,
  /// `verify` or `status` measures; it is restored, dumped or forgotten by its id.
  public var isSafetyCopy: Bool { tags.contains(Self.safetyCopyTag) }

  /// Whether the set holds a good copy of the item.
  public func hasGood(_ item: String) -> Bool { items.contains { $0.name == item && $0.status == .ok } }
  /// The id of the backup that made this set, in whichever repository.
  public var identity: String { origin ?? id }
  public var rawBytes: Int { items.reduce(0) { $0 + $1.rawBytes } }
  public var storedBytes: Int { items.reduce(0) { $0 + $1.storedBytes } }
}

/// One item of a set: one database dump, one folder, one command's output.
public struct BackupItem: Codable, Sendable {
  public enum Status: String, Codable, Sendable { case ok, failed }

  /// How the item's bytes are to be read back.
  public enum Format: String, Codable, Sendable {
    /// The bytes as the source produced them (a dump, a command's output).
    case stream
    /// A POSIX tar stream of a folder, extracted on restore (sets made before
    /// folders were stored as trees).
    case tar
    /// A folder as a tree of directory objects and per-file chunks (`tree`).
    case tree
  }

  /// `SOURCE` or `SOURCE/NAME`.
  public var name: String
  public var source: String
  public var format: Format
  /// What the bytes are (nil in sets made before it was recorded).
  public var content: ItemContent?
  /// A folder's absolute path on the host it was backed up from, where a
  /// recovery puts it back (nil for other items and in older sets).
  public var path: String?
  public var status: Status
  /// Why the item failed, with the tool's last words.
  public var error: String?
  /// Something the operator should know about a good item.
  public var warning: String?
  public var rawBytes: Int
  /// Bytes this item added to the repository (after dedup and compression).
  public var storedBytes: Int
  public var durationSeconds: Double
  /// The chunk ids, in order, as hex.
  public var chunks: [String]
  /// Per table: rows and checksum, computed from the stream as it was stored
  /// (database items only).
  public var fingerprints: [TableFingerprint]?
  /// Paths of a folder that could not be read, so are not in the item (which
  /// holds everything else, and makes its set `partial`).
  public var unreadable: [String]?
  /// A tree item's root directory: the chunks of its tree object, as hex.
  public var tree: [String]?
  /// A tree item's files: new, changed and unchanged, and bytes read or skipped.
  public var files: FileCounts?
  /// What recreating the item's database on a new server needs (owner, ACL,
  /// settings), for database items whose engine records it.
  public var recovery: RecoveryFacts?

  public init(
    name: String, source: String, format: Format, status: Status, error: String? = nil,
    warning: String? = nil, rawBytes: Int, storedBytes: Int, durationSeconds: Double,
    chunks: [String]
  ) {
    self.name = name
    self.source = source
    self.format = format
    self.status = status
    self.error = error
    self.warning = warning
    self.rawBytes = rawBytes
    self.storedBytes = storedBytes
    self.durationSeconds = durationSeconds
    self.chunks = chunks
  }
}

extension BackupSet {
  /// JSON coding shared by storage and `--json` output. Times are ISO 8601 in UTC
  /// with milliseconds, so sets made within one second still sort in order.
  public static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .custom { date, encoder in
      var container = encoder.singleValueContainer()
      try container.encode(UTCTime.format(date))
    }
    encoder.outputFormatting = [.sortedKeys]
    return encoder
  }()

  public static let decoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .custom { decoder in
      let container = try decoder.singleValueContainer()
      let text = try container.decode(String.self)
      guard let date = UTCTime.parse(text) else {
        throw DecodingError.dataCorruptedError(
          in: container, debugDescription: "not an ISO 8601 time: \(text)")
      }
      return date
    }
    return decoder
  }()
}
