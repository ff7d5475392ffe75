import Foundation

/// What `repair` found, and did.
public struct RepairReport: Sendable, Encodable {
  /// A set that names chunks no pack holds any more, and its items that lost data.
  public struct AffectedSet: Sendable, Encodable {
    /// The set's id before repair marked its items failed.
    public var set: String
    /// Its id after (the set file is rewritten).
    public var newID: String
    public var time: Date
    public var items: [AffectedItem]
  }

  public struct AffectedItem: Sendable, Encodable {
    public var item: String
    public var lostChunks: Int
    public var chunks: Int
  }

  public var packsRead = 0
  public var bytesRead = 0
  /// Packs that were missing, truncated or failed authentication, with why.
  public var damagedPacks: [String: String] = [:]
  /// Packs no index named whose chunks all authenticate: indexed now.
  public var packsIndexed = 0
  /// Chunks of damaged packs that authenticate, moved into new packs.
  public var chunksSalvaged = 0
  public var newPacks = 0
  /// Index files replaced by the rebuilt index (damaged ones among them).
  public var indexFilesReplaced = 0
  public var damagedIndexFiles: [String] = []
  public var affectedSets: [AffectedSet] = []
  /// Set files that cannot be read (nothing can use them): removed.
  public var damagedSets: [DamagedSet] = []
  /// Key files that fail authentication: removed (never the one that opened
  /// the repository, which is intact).
  public var damagedKeys: [String] = []
  /// Report and activity files that fail authentication: removed.
  public var damagedReports: [String] = []
  /// Whether anything was written or removed.
  public var changed = false
}
