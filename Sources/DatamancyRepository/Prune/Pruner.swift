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
  public var bytesBefore = 0
  public var bytesAfter = 0
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
    try repository.loadIndex()
    let index = repository.index
    let used = try usedChunks(index)
    var report = PruneReport()
    var keep: [(id: String, entries: [PackEntry])] = []
    var repack: [(id: String, live: [PackEntry])] = []
    var remove: [String] = []
    // A pack all of whose chunks the index places elsewhere has no entries here,
    // and goes like an unused one.
    let byPack = index.entriesByPack
    for pack in index.packIDs.sorted() {
      let entries = byPack[pack] ?? []
      let total = entries.reduce(0) { $0 + Int($1.length) }
      let live = entries.filter { used.contains($0.id) }
      let liveBytes = live.reduce(0) { $0 + Int($1.length) }
      report.bytesBefore += total
      if live.isEmpty {
        remove.append(pack)
        report.unusedPacks += 1
      } else if Double(liveBytes) < repackBelow * Double(total) {
        repack.append((pack, live))
        remove.append(pack)
        report.repackedPacks += 1
      } else {
        keep.append((pack, entries))
        report.bytesAfter += total
      }
    }
    let stored = try storageCall { try repository.storage.list(prefix: "data/") }
    let indexed = Set(index.packIDs)
    let unindexed = stored.filter { !indexed.contains(($0 as NSString).lastPathComponent) }
    report.unindexedPacks = unindexed.count
    report.bytesAfter += repack.reduce(0) { $0 + $1.live.reduce(0) { $0 + Int($1.length) } }
    if dryRun || (remove.isEmpty && unindexed.isEmpty) { return report }

    let written = try copyLive(repack)
    report.newPacks = written.count
    let oldIndexFiles = index.files
    if !remove.isEmpty {
      try repository.writeIndex(keep + written)
      for name in oldIndexFiles { try storageCall { try repository.storage.delete(name) } }
    }
    for pack in remove { try storageCall { try repository.storage.delete(PackFormat.name(of: pack)) } }
    for name in unindexed { try storageCall { try repository.storage.delete(name) } }
    try repository.loadIndex()
    return report
  }

  /// Every chunk any set names; each must be indexed, or nothing is removed.
  func usedChunks(_ index: RepositoryIndex) throws -> Set<ChunkID> {
    var used = Set<ChunkID>()
    for set in try repository.sets() {
      for item in set.items {
        for hex in item.chunks {
          guard let id = ChunkID(hex: hex), index.contains(id) else {
            throw RepositoryError.damaged(
              file: "snapshots/\(set.id)",
              reason: "item \(item.name) names chunk \(hex.prefix(16)) that no index holds; "
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
    var buffer = PackBuffer(capacity: repository.config.packSize + repository.config.chunker.maxSize)
    var written: [(id: String, entries: [PackEntry])] = []
    func close() throws {
      guard !buffer.isEmpty else { return }
      let closed = try buffer.close(key: repository.master.encryption)
      try storageCall { try repository.storage.put(PackFormat.name(of: closed.id), data: closed.file) }
      written.append((closed.id, closed.entries))
    }
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
        buffer.append(sealed: Data(data[start..<end]), id: entry.id, rawLength: Int(entry.rawLength))
        if buffer.count >= repository.config.packSize { try close() }
      }
    }
    try close()
    return written
  }
}
