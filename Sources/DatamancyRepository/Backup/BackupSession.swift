import DatamancyPOSIX
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
  let sealers: Pool<ChunkSealer>
  private let batchSize: Int
  private let buffers = 3
  private let indexEvery: Int
  private let lock = NSLock()
  /// The pack being filled; made when its first chunk arrives.
  private var pack: PackBuilder?
  private var inPack: Set<ChunkID> = []
  private var unindexed: [(id: String, entries: [PackEntry])] = []
  private let uploader: PackUploader
  /// Called with the number of bytes read, from any thread, for progress displays.
  public var onBytes: (@Sendable (Int) -> Void)?

  public init(
    repository: Repository, compression: Compression? = nil, batchSize: Int = 2 << 20,
    indexEvery: Int = 8
  ) {
    self.repository = repository
    self.compression = compression ?? repository.config.compression
    let (compression, maxChunk) = (self.compression, repository.config.chunker.maxSize)
    sealers = Pool { ChunkSealer(compression: compression, maxChunk: maxChunk) }
    self.batchSize = batchSize
    self.indexEvery = indexEvery
    uploader = PackUploader(connections: repository.connections)
  }

  /// Reads `source` to its end, storing every chunk the repository lacks.
  ///
  /// One thread reads the stream, cutting and naming chunks as their bytes arrive,
  /// while the new chunks of the previous batch are compressed and sealed on all
  /// cores; `buffers` recycled buffers bound the memory. Throws whatever the source
  /// throws (a failed dump); chunks already stored stay in the repository for the
  /// next backup to reuse, but no set names them.
  public func store(_ source: ByteStream) throws -> StoredStream {
    let reader = ChunkReader(
      source: source, chunker: repository.chunker, idKey: repository.master.chunkID, batchSize: batchSize)
    let free = Channel<ChunkBuffer>()
    let ready = Channel<ChunkBuffer>()
    for _ in 0..<buffers { free.put(ChunkBuffer(capacity: reader.bufferSize)) }
    let readFailure = Locked<Error?>(nil)
    let readerDone = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
      defer {
        ready.close()
        readerDone.signal()
      }
      while let buffer = free.take() {
        do {
          guard try reader.nextBatch(into: buffer) else { return }
        } catch {
          readFailure.value = error
          return
        }
        guard ready.put(buffer) else { return }
      }
    }
    defer {
      free.close()
      ready.close()
      readerDone.wait()
    }
    var result = StoredStream(chunks: [], rawBytes: 0, storedBytes: 0)
    while let buffer = ready.take() {
      try seal(buffer, into: &result)
      free.put(buffer)
    }
    if let error = readFailure.value { throw error }
    return result
  }

  /// Seals the chunks of a batch the repository lacks, in parallel, and adds them.
  private func seal(_ buffer: ChunkBuffer, into result: inout StoredStream) throws {
    let master = repository.master
    let count = buffer.ranges.count
    let ids = buffer.ids
    var sealed = [Data?](repeating: nil, count: count)
    let failure = Locked<Error?>(nil)
    sealed.withUnsafeMutableBufferPointer { sealedSlots in
      DispatchQueue.concurrentPerform(iterations: count) { i in
        guard !isKnown(ids[i]) else { return }
        do {
          sealedSlots[i] = try sealers.use { try $0.seal(buffer.chunk(i), id: ids[i], master: master) }
        } catch {
          failure.value = error
        }
      }
    }
    if let error = failure.value { throw error }
    var bytes = 0
    for i in 0..<count {
      let length = buffer.ranges[i].count
      result.chunks.append(ids[i])
      bytes += length
      if let data = sealed[i] { result.storedBytes += try add(data, id: ids[i], rawLength: length) }
    }
    result.rawBytes += bytes
    onBytes?(bytes)
  }

  /// Stores the last pack and the index files still owed.
  public func finish() throws {
    try lock.withLock {
      try closePack()
      try writeIndex()
    }
  }

  func isKnown(_ id: ChunkID) -> Bool {
    lock.withLock { inPack.contains(id) || repository.index.contains(id) }
  }

  /// Adds a sealed chunk unless another stream added it first; returns bytes added.
  func add(_ sealed: Data, id: ChunkID, rawLength: Int) throws -> Int {
    try lock.withLock {
      if inPack.contains(id) || repository.index.contains(id) { return 0 }
      if pack == nil { pack = try PackBuilder(storage: repository.storage) }
      try pack!.append(sealed: sealed, id: id, rawLength: rawLength)
      inPack.insert(id)
      if pack!.count >= repository.config.packSize { try closePack() }
      if unindexed.count >= indexEvery { try writeIndex() }
      return sealed.count
    }
  }

  /// Must hold `lock`.
  private func closePack() throws {
    guard let filled = pack.take(), !filled.isEmpty else { return }
    let closed = try filled.close(key: repository.master.encryption)
    try uploader.upload(closed)
    unindexed.append((closed.id, closed.entries))
    // Chunks in a stored but unindexed pack are still known through `inPack`.
  }

  /// Must hold `lock`.
  private func writeIndex() throws {
    guard !unindexed.isEmpty else { return }
    try uploader.waitForAll()
    try repository.writeIndex(unindexed)
    for pack in unindexed { for entry in pack.entries { inPack.remove(entry.id) } }
    unindexed.removeAll()
  }
}
