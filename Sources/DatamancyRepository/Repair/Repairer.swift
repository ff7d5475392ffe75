import DatamancyPOSIX
import DatamancyStorage
import Foundation

/// Brings a damaged repository back to one that `check --read-data` passes.
///
/// Reads every pack whole and authenticates every chunk, as `check --read-data`
/// does; rebuilds the index from what authenticates (packs no index named
/// included); moves the good chunks of damaged packs into new packs; and marks
/// the items of sets that lost chunks as failed, so nothing claims to be
/// restorable that is not. The next backup stores the lost chunks again when
/// their data still exists. Sets are never removed: their other items stay
/// restorable.
///
/// Order of writes: new packs, then the rebuilt index files, then removal of the
/// old index files, then removal of the damaged packs, then the marked sets (each
/// saved before its old file is removed). Killed at any point, a rerun finishes
/// the job.
public struct Repairer {
  public let repository: Repository
  /// The time written into the marks of damaged items.
  public var now = Date()
  /// Called with bytes read, for progress displays.
  public var onBytes: ((Int) -> Void)?
  /// Packs per rebuilt index file.
  var packsPerIndexFile = 256

  public init(repository: Repository) { self.repository = repository }

  public func run() throws -> RepairReport {
    var report = RepairReport()
    let storage = repository.storage
    let oldIndexFiles = try storageCall { try storage.list(prefix: "index/") }.sorted()
    // What the index says of each pack: where its chunks are when its own header
    // is lost.
    var indexedEntries: [String: [PackEntry]] = [:]
    for name in oldIndexFiles {
      do {
        for pack in try repository.readIndexFile(name) where indexedEntries[pack.id] == nil {
          indexedEntries[pack.id] = pack.entries
        }
      } catch {
        report.damagedIndexFiles.append(name)
      }
    }
    let indexedPacks = Set(indexedEntries.keys)
    let stored = try repository.packSizes()
    for pack in indexedPacks where stored[pack] == nil {
      report.damagedPacks[pack] = "indexed pack is missing"
    }

    var intact: [(id: String, entries: [PackEntry])] = []
    var salvage = SealedPackWriter(repository: repository)
    for pack in stored.keys.sorted() {
      let name = PackFormat.name(of: pack)
      guard let data = try readPack(name) else { continue }
      report.packsRead += 1
      report.bytesRead += data.count
      onBytes?(data.count)
      let (entries, good, problem) = examine(data, name: name, indexed: indexedEntries[pack])
      if problem == nil {
        intact.append((pack, entries))
        if !indexedPacks.contains(pack) { report.packsIndexed += 1 }
        continue
      }
      report.damagedPacks[pack] = problem
      for entry in good {
        let start = Int(entry.offset)
        try salvage.append(sealed: Data(data[start..<start + Int(entry.length)]), entry: entry)
        report.chunksSalvaged += 1
      }
    }
    try salvage.close()
    let written = salvage.written
    report.newPacks = written.count
    let damaged = !report.damagedPacks.isEmpty || !report.damagedIndexFiles.isEmpty || report.packsIndexed > 0
    if damaged {
      let all = intact + written
      for start in stride(from: 0, to: all.count, by: packsPerIndexFile) {
        try repository.writeIndex(Array(all[start..<min(start + packsPerIndexFile, all.count)]))
      }
      for name in oldIndexFiles { try storageCall { try storage.delete(name) } }
      report.indexFilesReplaced = oldIndexFiles.count
      for pack in report.damagedPacks.keys.sorted() {
        try storageCall { try storage.delete(PackFormat.name(of: pack)) }
      }
      report.changed = true
    }
    try repository.loadIndex()
    // One reading of the sets: those that lost chunks are marked, the unreadable removed.
    let listing = try repository.setListing()
    report.damagedSets = listing.damaged
    report.affectedSets = try markLostItems(listing.sets)
    try removeUnreadableFiles(&report)
    if !report.affectedSets.isEmpty { report.changed = true }
    return report
  }

  /// Removes set, key and report files that fail authentication: nothing can
  /// read them, and an unreadable set keeps prune from freeing anything.
  private func removeUnreadableFiles(_ report: inout RepairReport) throws {
    let storage = repository.storage
    for set in report.damagedSets { try storageCall { try storage.delete(set.file) } }
    for name in try storageCall({ try storage.list(prefix: "keys/") }).sorted()
    where name != repository.keyName && !repository.isAuthenticKeyFile(name) {
      try storageCall { try storage.delete(name) }
      report.damagedKeys.append(name)
    }
    for name in try storageCall({ try storage.list(prefix: "reports/") }).sorted()
    where (try? repository.getSealed(name, context: Sealing.Context.report)) == nil {
      try storageCall { try storage.delete(name) }
      report.damagedReports.append(name)
    }
    for name in try storageCall({ try storage.list(prefix: "activity/") }).sorted()
    where (try? repository.openActivity(name)) == nil {
      try storageCall { try storage.delete(name) }
      report.damagedReports.append(name)
    }
    if !report.damagedSets.isEmpty || !report.damagedKeys.isEmpty || !report.damagedReports.isEmpty {
      report.changed = true
    }
  }

  /// Reads a whole pack; nil when it vanished since the listing.
  private func readPack(_ name: String) throws -> Data? {
    do {
      return try repository.storage.get(name)
    } catch let error as StorageError where error.isNotFound {
      return nil
    } catch let error as StorageError {
      throw RepositoryError.storage(error)
    }
  }

  /// A pack's header entries, those whose chunks authenticate, and what is wrong
  /// with the pack (nil when nothing: its name matches its bytes and every chunk
  /// authenticates). Without a readable header, the `indexed` entries say where
  /// to look: a pack cut short keeps the chunks before the cut.
  private func examine(_ data: Data, name: String, indexed: [PackEntry]?) -> (
    entries: [PackEntry], good: [PackEntry], problem: String?
  ) {
    guard let entries = try? PackFormat.decodeHeader(pack: data, key: repository.master.encryption) else {
      let good = authentic(indexed ?? [], in: data)
      return (
        [], good,
        "pack header fails authentication (truncated or damaged); \(good.count) chunks found through the index"
      )
    }
    let good = authentic(entries, in: data)
    if good.count < entries.count {
      return (entries, good, "\(entries.count - good.count) of \(entries.count) chunks fail authentication")
    }
    if !Repository.isNamedByContent(data, name: name) {
      return (entries, good, "pack content does not match its name")
    }
    return (entries, good, nil)
  }

  /// The entries whose chunks lie within `data`, open, and hash to their ids.
  private func authentic(_ entries: [PackEntry], in data: Data) -> [PackEntry] {
    let master = repository.master
    let verdicts = Locked<[Bool]>(Array(repeating: false, count: entries.count))
    let decompressors = Pool { ZstdDecompressor() }
    DispatchQueue.concurrentPerform(iterations: entries.count) { i in
      let entry = entries[i]
      let start = Int(entry.offset)
      let end = start + Int(entry.length)
      guard end <= data.count else { return }
      let opened = decompressors.use {
        try? PackFormat.openChunk(
          data[start..<end], entry: entry, master: master, decompressor: $0, recomputeID: true)
      }
      if opened != nil { verdicts.withLock { $0[i] = true } }
    }
    return zip(entries, verdicts.value).filter(\.1).map(\.0)
  }

  /// Marks failed every good item that names a chunk the index lacks, rewriting
  /// its set; returns the sets marked.
  private func markLostItems(_ sets: [BackupSet]) throws -> [RepairReport.AffectedSet] {
    var affected: [RepairReport.AffectedSet] = []
    let stamp = UTCTime.format(now)
    for set in sets {
      var marked = set
      var items: [RepairReport.AffectedItem] = []
      for (position, item) in set.items.enumerated() where item.status == .ok {
        // A tree that cannot be read counts as lost, with what is under it.
        let ids = try repository.referencedChunks(of: item, in: set, salvage: true)
        let lost = ids.filter { !repository.index.contains($0) }.count
        guard lost > 0 else { continue }
        items.append(.init(item: item.name, lostChunks: lost, chunks: ids.count))
        marked.items[position].status = .failed
        marked.items[position].error =
          "lost \(lost) of \(ids.count) chunks to repository damage (found by repair at \(stamp)); not restorable"
      }
      guard !items.isEmpty else { continue }
      marked.updateStatus()
      let saved = try repository.replace(marked)
      affected.append(.init(set: set.id, newID: saved.id, time: set.time, items: items))
    }
    return affected
  }
}
