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
  /// One being read, one being sealed, one queued behind it: with two, the
  /// text-like data ingested about 8% slower; 1 MiB batches (5 MiB buffers) kept
  /// the speed of 2 MiB ones at 3 MiB less (alternating runs by hand).
  private let buffers = 3
  private let indexEvery: Int
  private let lock = NSLock()
  private var pack: PackBuilder
  private var inPack: Set<ChunkID> = []
  private var unindexed: [(id: String, entries: [PackEntry])] = []
  private let uploader: PackUploader
  /// Called with the number of bytes read, from any thread, for progress displays.
  public var onBytes: (@Sendable (Int) -> Void)?

  public init(
    repository: Repository, compression: Compression? = nil, batchSize: Int = 1 << 20,
    indexEvery: Int = 8
  ) {
    self.repository = repository
    self.compression = compression ?? repository.config.compression
    let (compression, maxChunk) = (self.compression, repository.config.chunker.maxSize)
    sealers = Pool { ChunkSealer(compression: compression, maxChunk: maxChunk) }
    self.batchSize = batchSize
    self.indexEvery = indexEvery
    uploader = PackUploader(connections: repository.connections)
    pack = PackBuilder(storage: repository.storage)
  }

  /// Reads `source` to its end, storing every chunk the repository lacks.
  ///
  /// One thread reads the stream, cutting and naming chunks as their bytes arrive,
  /// while the new chunks of the batches read before are compressed and sealed on
  /// all cores; `buffers` recycled buffers bound the memory. Throws whatever the source
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
    // One sealing thread per core, each with its own sealer (buffer and zstd
    // context). The next batch's chunks are queued before the previous batch is
    // added, so no core waits at the end of a batch for its slowest chunk.
    let jobs = Channel<(SealingBatch, Int)>()
    let workers = DispatchGroup()
    for _ in 0..<Cores.available {
      workers.enter()
      Thread.detachNewThread { [self] in
        defer { workers.leave() }
        while let (batch, i) = jobs.take() { seal(i, of: batch) }
      }
    }
    defer {
      jobs.close()  // the workers finish what is queued: a failed batch still owns its buffer
      workers.wait()
    }
    var result = StoredStream(chunks: [], rawBytes: 0, storedBytes: 0)
    var sealing: [SealingBatch] = []
    while let buffer = ready.take() {
      let batch = SealingBatch(buffer)
      for i in 0..<buffer.ranges.count {
        batch.group.enter()
        jobs.put((batch, i))
      }
      sealing.append(batch)
      if sealing.count > 1 { try add(sealing.removeFirst(), into: &result, free: free) }
    }
    while !sealing.isEmpty { try add(sealing.removeFirst(), into: &result, free: free) }
    if let error = readFailure.value { throw error }
    return result
  }

  /// Seals chunk `i` of a batch unless the repository has it (on a sealing thread).
  private func seal(_ i: Int, of batch: SealingBatch) {
    defer { batch.group.leave() }
    let buffer = batch.buffer
    guard batch.failure.value == nil, !isKnown(buffer.ids[i]) else { return }
    do {
      batch.sealed[i] = try sealers.use {
        try $0.seal(buffer.chunk(i), id: buffer.ids[i], master: repository.master)
      }
    } catch {
      batch.failure.value = error
    }
  }

  /// Waits for a batch's sealing, adds its new chunks in order and frees its buffer.
  private func add(_ batch: SealingBatch, into result: inout StoredStream, free: Channel<ChunkBuffer>) throws
  {
    batch.group.wait()
    if let error = batch.failure.value { throw error }
    let buffer = batch.buffer
    var bytes = 0
    for i in 0..<buffer.ranges.count {
      let length = buffer.ranges[i].count
      result.chunks.append(buffer.ids[i])
      bytes += length
      if let data = batch.sealed[i] {
        result.storedBytes += try add(data, id: buffer.ids[i], rawLength: length)
      }
    }
    batch.sealed.update(repeating: nil)
    free.put(buffer)
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
      try pack.append(sealed: sealed, id: id, rawLength: rawLength)
      inPack.insert(id)
      if pack.count >= repository.config.packSize { try closePack() }
      if unindexed.count >= indexEvery { try writeIndex() }
      return sealed.count
    }
  }

  /// Must hold `lock`.
  private func closePack() throws {
    guard let closed = try pack.close(key: repository.master.encryption) else { return }
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

/// A batch whose chunks are being sealed: each worker writes its chunk's slot of
/// `sealed`, read once `group` is done.
private final class SealingBatch: @unchecked Sendable {
  let buffer: ChunkBuffer
  let group = DispatchGroup()
  let sealed: UnsafeMutableBufferPointer<Data?>
  let failure = Locked<Error?>(nil)

  init(_ buffer: ChunkBuffer) {
    self.buffer = buffer
    sealed = .allocate(capacity: buffer.ranges.count)
    sealed.initialize(repeating: nil)
  }

  deinit {
    sealed.deinitialize()
    sealed.deallocate()
  }
}
