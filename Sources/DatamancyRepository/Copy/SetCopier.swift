import Foundation

/// Copies backup sets from one repository into another (an offsite copy).
///
/// Each item's bytes are read out of the source (every chunk authenticated) and
/// stored into the target as a backup would store them: cut by the target's own
/// chunker, identified with its own key, compressed and sealed under its own keys,
/// and deduplicated against everything it already holds. Repositories never share
/// keys, chunk ids or files.
///
/// What the target "has" is decided per item, by origin: a target set whose
/// `origin` is the source set's `identity` holds those of its items that are
/// there. Missing items (a first copy, a copy limited to some sources, or one
/// killed midway) are stored, and the set is saved again with them, after its data
/// and index, in the backup's commit order. A second copy of the same sets finds
/// everything and writes nothing; a copy killed midway leaves data that the next
/// one reuses, and no set that names missing data.
public struct SetCopier {
  public let source: Repository
  public let target: Repository

  public init(source: Repository, target: Repository) {
    self.source = source
    self.target = target
  }

  /// One source set and what the target lacks of it.
  public struct Plan: Sendable {
    public var set: BackupSet
    /// Items to copy, in the set's order.
    public var missing: [BackupItem]
    /// The target's copy of the set made by an earlier copy, if any.
    public var existing: BackupSet?
  }

  /// What one set's copy did.
  public struct Copied: Codable, Sendable {
    public var sourceSet: String
    public var targetSet: String
    public var items: [String]
    public var rawBytes: Int
    /// Sealed bytes the target did not already hold.
    public var storedBytes: Int
  }

  /// The sets among `sets` (oldest first) of which the target lacks items, limited
  /// to the items of `sources` when given.
  public func plan(_ sets: [BackupSet], sources: [String] = []) throws -> [Plan] {
    let held = Dictionary(
      try target.sets().map { ($0.identity, $0) }, uniquingKeysWith: { first, _ in first })
    return sets.compactMap { set in
      let existing = held[set.identity]
      let present = Set(existing?.items.map(\.name) ?? [])
      let missing = set.items.filter { item in
        !present.contains(item.name) && (sources.isEmpty || sources.contains(item.source))
      }
      return missing.isEmpty ? nil : Plan(set: set, missing: missing, existing: existing)
    }
  }

  /// Copies one planned set; the caller holds a lock on each repository.
  public func copy(_ plan: Plan) throws -> Copied {
    let session = BackupSession(repository: target)
    var copied = plan.existing?.items ?? []
    var rawBytes = 0
    var storedBytes = 0
    for item in plan.missing {
      var copy = item
      copy.storedBytes = 0
      if item.format == .tree, item.tree != nil {
        var copier = TreeCopier(source: source, session: session)
        let tree = try copier.copy(try source.rootTree(of: item, in: plan.set))
        copy.tree = tree.chunks.map(\.hex)
        copy.storedBytes = tree.storedBytes
        rawBytes += tree.rawBytes
        storedBytes += tree.storedBytes
      } else if !item.chunks.isEmpty {
        let chunks = try ChunkStreamer.ids(of: item, set: plan.set)
        let stored = try session.store(StoredItemStream(repository: source, chunks: chunks))
        guard stored.rawBytes == item.rawBytes else {
          throw RepositoryError.damaged(
            file: "snapshots/\(plan.set.id)",
            reason:
              "item \(item.name) read back as \(stored.rawBytes) bytes, not the \(item.rawBytes) recorded")
        }
        copy.chunks = stored.chunks.map(\.hex)
        copy.storedBytes = stored.storedBytes
        rawBytes += stored.rawBytes
        storedBytes += stored.storedBytes
      }
      copied.append(copy)
    }
    // Data and index first; the set only once everything it names is indexed.
    try session.finish()
    let order = Dictionary(plan.set.items.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
    copied.sort { (order[$0.name] ?? .max) < (order[$1.name] ?? .max) }
    var set = BackupSet(
      time: plan.set.time, host: plan.set.host, tags: plan.existing?.tags ?? plan.set.tags,
      durationSeconds: plan.set.durationSeconds, items: copied)
    set.origin = plan.set.identity
    set.configuration = plan.set.configuration
    let saved: BackupSet
    if let existing = plan.existing {
      set.id = existing.id
      saved = try target.replace(set)
    } else {
      saved = try target.save(set)
    }
    return Copied(
      sourceSet: plan.set.id, targetSet: saved.id, items: plan.missing.map(\.name), rawBytes: rawBytes,
      storedBytes: storedBytes)
  }
}
