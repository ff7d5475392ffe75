import Foundation

/// What storing one stream produced.
public struct StoredStream: Sendable {
  public var chunks: [ChunkID]
  public var rawBytes: Int
  /// Sealed bytes this stream added (chunks not already in the repository).
  public var storedBytes: Int
}

/// Stores streams into a repository; several streams may be stored at once from
/// different threads, sharing one pack being filled.
///
/// Commit order: a pack file is stored whole before any index file names it; index
/// files are written every `indexEvery` packs and at `finish`; the caller saves the
/// set only after `finish`. A process killed at any point therefore leaves packs
/// (and perhaps index files) but never a set naming missing data, and the next
/// backup reuses every chunk that made it into an index file.
public final class BackupSession: @unchecked Sendable {
  public let repository: Repository
  private let compression: Compression
  private let sealers: Pool<ChunkSealer>
  private let batchSize: Int
  private let indexEvery: Int
  private let lock = NSLock()
  private var pack = PackBuffer()
  private var inPack: Set<ChunkID> = []
  private var unindexed: [(id: String, entries: [PackEntry])] = []
  /// Called with the number of bytes read, from any thread, for progress displays.
  public var onBytes: (@Sendable (Int) -> Void)?

  public init(
    repository: Repository, compression: Compression? = nil, batchSize: Int = 16 << 20,
    indexEvery: Int = 8
  ) {
    self.repository = repository
    self.compression = compression ?? repository.config.compression
    let compression = self.compression
    sealers = Pool { ChunkSealer(compression: compression) }
    self.batchSize = batchSize
    self.indexEvery = indexEvery
  }

  /// Reads `source` to its end, storing every chunk the repository lacks.
  ///
  /// Throws whatever the source throws (a failed dump); chunks already stored stay
  /// in the repository for the next backup to reuse, but no set names them.
  public func store(_ source: ByteSource) throws -> StoredStream {
    let master = repository.master
    let reader = ChunkReader(source: source, chunker: repository.chunker, batchSize: batchSize)
    var result = StoredStream(chunks: [], rawBytes: 0, storedBytes: 0)
    while let ranges = try reader.nextBatch() {
      var ids = [ChunkID?](repeating: nil, count: ranges.count)
      var sealed = [Data?](repeating: nil, count: ranges.count)
      var failure: Error?
      reader.buffer.withUnsafeBytes { buffer in
        let base = UnsafeRawBufferPointer(buffer)
        ids.withUnsafeMutableBufferPointer { idSlots in
          sealed.withUnsafeMutableBufferPointer { sealedSlots in
            DispatchQueue.concurrentPerform(iterations: ranges.count) { i in
              let chunk = UnsafeRawBufferPointer(rebasing: base[ranges[i]])
              let id = master.id(of: chunk)
              idSlots[i] = id
              guard !isKnown(id) else { return }
              do {
                sealedSlots[i] = try sealers.use { try $0.seal(chunk, id: id, master: master) }
              } catch {
                lock.withLock { failure = error }
              }
            }
          }
        }
      }
      if let failure { throw failure }
      for i in ranges.indices {
        result.chunks.append(ids[i]!)
        result.rawBytes += ranges[i].count
        if let data = sealed[i] {
          result.storedBytes += try add(data, id: ids[i]!, rawLength: ranges[i].count)
        }
      }
      onBytes?(ranges.reduce(0) { $0 + $1.count })
    }
    return result
  }

  /// Stores the last pack and the index files still owed.
  public func finish() throws {
    try lock.withLock {
      try closePack()
      try writeIndex()
    }
  }

  private func isKnown(_ id: ChunkID) -> Bool {
    lock.withLock { inPack.contains(id) || repository.index.contains(id) }
  }

  /// Adds a sealed chunk unless another stream added it first; returns bytes added.
  private func add(_ sealed: Data, id: ChunkID, rawLength: Int) throws -> Int {
    try lock.withLock {
      if inPack.contains(id) || repository.index.contains(id) { return 0 }
      pack.append(sealed: sealed, id: id, rawLength: rawLength)
      inPack.insert(id)
      if pack.count >= repository.config.packSize { try closePack() }
      if unindexed.count >= indexEvery { try writeIndex() }
      return sealed.count
    }
  }

  /// Must hold `lock`.
  private func closePack() throws {
    guard !pack.isEmpty else { return }
    let closed = try pack.close(key: repository.master.encryption)
    try storageCall { try repository.storage.put(PackFormat.name(of: closed.id), data: closed.file) }
    unindexed.append((closed.id, closed.entries))
    // Chunks in a stored but unindexed pack are still known through `inPack`.
  }

  /// Must hold `lock`.
  private func writeIndex() throws {
    guard !unindexed.isEmpty else { return }
    try repository.writeIndex(unindexed)
    for pack in unindexed { for entry in pack.entries { inPack.remove(entry.id) } }
    unindexed.removeAll()
  }
}
