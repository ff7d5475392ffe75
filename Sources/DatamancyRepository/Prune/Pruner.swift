import DatamancyStorage
import Foundation

/// What `prune` found, and did.
public struct PruneReport: Sendable, Encodable {
  /// Packs no set uses any chunk of: deleted.
  public var unusedPacks = 0
  /// Packs mostly unused: their live chunks copied into new packs, then deleted.
  public var repackedPacks = 0
  public var newPacks = 0
  /// Packs no index names (left by an interrupted backup or prune): deleted.
  public var unindexedPacks = 0
  /// Pack file bytes before and after (every stored pack, indexed or not).
  public var bytesBefore = 0
  public var bytesAfter = 0
  /// Temporary files of interrupted writes removed (a folder repository).
  public var temporaryFiles = 0
  /// Set files that could not be read: while there are any, every indexed chunk
  /// counts as used, because one of them may need it.
  public var damagedSets: [DamagedSet] = []
  /// WAL older than the oldest kept base backup of each `postgres_pitr` source.
  public var wal: [WALPruned] = []
}

/// One source's WAL retention: the files removed, and where the archive now starts.
public struct WALPruned: Sendable, Encodable {
  public var source: String
  public var files: Int
  public var bytes: Int
  /// The first segment kept (the oldest kept base backup's start); nil when no
  /// base backup is recoverable, and nothing was removed.
  public var keptFrom: String?

  public init(source: String, files: Int, bytes: Int, keptFrom: String?) {
    self.source = source
    self.files = files
    self.bytes = bytes
    self.keptFrom = keptFrom
  }
}

/// Gives back the space of data no set references, crash-safely.
///
/// Order of writes: new packs (the live chunks of mostly unused packs, copied
/// sealed as they are), then one new index naming every live pack, then removal of
/// the old index files, then removal of the old packs. Killed at any point, every
/// index file names only packs that exist, every chunk a set uses stays indexed,
/// and a rerun finishes the job: leftovers are only unindexed packs.
public struct Pruner {
  public let repository: Repository
  /// Packs whose live bytes are below this fraction of the pack are repacked.
  public var repackBelow = 0.5

  public init(repository: Repository) { self.repository = repository }

  public func run(dryRun: Bool = false) throws -> PruneReport {
    let stored = try repository.loadIndex()
    let index = repository.index
    if !index.unusablePacks.isEmpty {
      let names = index.unusablePacks.keys.sorted().map { PackFormat.name(of: $0) }
      throw RepositoryError.damaged(
        file: names[0],
        reason: "the index names \(names.count) packs that are missing or truncated "
          + "(\(names.joined(separator: ", "))), so prune removed nothing")
    }
    var report = PruneReport()
    let listing = try repository.setListing()
    report.damagedSets = listing.damaged
    // A set that cannot be read may use any chunk: then every chunk is live.
    let used = listing.damaged.isEmpty ? try usedChunks(listing.sets, index) : nil
    var keep: [(id: String, entries: [PackEntry])] = []
    var repack: [(id: String, live: [PackEntry])] = []
    var remove: [String] = []
    // A pack all of whose chunks the index places elsewhere (two backups stored
    // the same chunk at once) has no entries here, and goes like an unused one.
    let byPack = index.entriesByPack
    for pack in index.packIDs.sorted() {
      let entries = byPack[pack] ?? []
      let size = stored[pack] ?? 0
      let live = used.map { used in entries.filter { used.contains($0.id) } } ?? entries
      let liveBytes = live.reduce(0) { $0 + Int($1.length) }
      if live.isEmpty {
        remove.append(pack)
        report.unusedPacks += 1
      } else if Double(liveBytes) < repackBelow * Double(size) {
        repack.append((pack, live))
        remove.append(pack)
        report.repackedPacks += 1
      } else {
        keep.append((pack, entries))
        report.bytesAfter += size
      }
    }
    let indexed = Set(index.packIDs)
    // With an unreadable set, a pack no index names may be the only copy of its
    // chunks (a lost index file): keep it for repair to index.
    let unindexed = listing.damaged.isEmpty ? stored.keys.filter { !indexed.contains($0) } : []
    report.unindexedPacks = unindexed.count
    report.bytesBefore = stored.values.reduce(0, +)
    report.bytesAfter += stored.filter { !indexed.contains($0.key) && !unindexed.contains($0.key) }.values
      .reduce(0, +)
    report.bytesAfter += repackedSize(repack)
    if dryRun { return report }
    report.temporaryFiles = try removeTemporaries()
    if remove.isEmpty && unindexed.isEmpty { return report }

    let written = try copyLive(repack)
    report.newPacks = written.count
    let oldIndexFiles = index.files
    if !remove.isEmpty {
      try repository.writeIndex(keep + written)
      for name in oldIndexFiles { try storageCall { try repository.storage.delete(name) } }
    }
    for pack in remove { try storageCall { try repository.storage.delete(PackFormat.name(of: pack)) } }
    for pack in unindexed { try storageCall { try repository.storage.delete(PackFormat.name(of: pack)) } }
    try repository.loadIndex()
    return report
  }

  /// The bytes of the packs `copyLive` writes for `packs`: the same packing, without
  /// the writing, so a dry run says what a real one does.
  func repackedSize(_ packs: [(id: String, live: [PackEntry])]) -> Int {
    var total = 0
    var (bytes, count) = (0, 0)
    func close() {
      guard count > 0 else { return }
      total += bytes + PackFormat.headerFileBytes(entries: count)
      (bytes, count) = (0, 0)
    }
    for entry in packs.flatMap(\.live) {
      bytes += Int(entry.length)
      count += 1
      if bytes >= repository.config.packSize { close() }
    }
    close()
    return total
  }

  /// Removes temporary files of interrupted writes (a folder repository): those
  /// not written to for longer than a lock may go unrefreshed, so no live writer
  /// can own one.
  func removeTemporaries() throws -> Int {
    guard let local = repository.storage as? LocalStorage else { return 0 }
    return try storageCall { try local.removeStaleTemporaries(olderThan: LockTiming.standard.staleAfter) }
  }

  /// Every chunk any set names; each must be indexed, or nothing is removed.
  func usedChunks(_ sets: [BackupSet], _ index: RepositoryIndex) throws -> Set<ChunkID> {
    var used = Set<ChunkID>()
    // Trees already walked: an unchanged folder is the same tree in every set.
    var walked = Set<[ChunkID]>()
    for set in sets {
      for item in set.items {
        var named = Set<ChunkID>()
        if item.format == .tree {
          // A tree that cannot be read stops the prune: what is under it is unknown.
          try repository.referencedChunks(
            of: item, in: set, into: &named, walked: &walked, salvage: item.status == .failed)
        } else {
          named = Set(
            try item.chunks.map { hex in
              guard let id = ChunkID(hex: hex) else {
                throw RepositoryError.damaged(
                  file: "snapshots/\(set.id)", reason: "item \(item.name) names a malformed chunk id")
              }
              return id
            })
        }
        for id in named {
          // An item repair marked failed keeps its chunk list; what survived stays.
          if item.status == .failed, !index.contains(id) { continue }
          guard index.contains(id) else {
            throw RepositoryError.damaged(
              file: "snapshots/\(set.id)",
              reason: "item \(item.name) names chunk \(id.hex.prefix(16)) that no index holds; "
                + "run 'check' before pruning")
          }
          used.insert(id)
        }
      }
    }
    return used
  }

  /// Copies the live chunks of `packs` into new packs, still sealed, after
  /// authenticating each; returns the new packs.
  func copyLive(_ packs: [(id: String, live: [PackEntry])]) throws -> [(id: String, entries: [PackEntry])] {
    var writer = SealedPackWriter(repository: repository)
    for pack in packs {
      let name = PackFormat.name(of: pack.id)
      let data = try storageCall { try repository.storage.get(name) }
      for entry in pack.live {
        let start = Int(entry.offset)
        let end = start + Int(entry.length)
        guard end <= data.count,
          (try? Sealing.open(data[start..<end], key: repository.master.encryption, context: entry.id.bytes))
            != nil
        else {
          throw RepositoryError.damaged(
            file: name, reason: "chunk \(entry.id.hex.prefix(16)) fails authentication; nothing was removed")
        }
        try writer.append(sealed: Data(data[start..<end]), entry: entry)
      }
    }
    try writer.close()
    return writer.written
  }
}
