import DatamancyPOSIX
import Foundation

/// What storing one stream produced.
public struct StoredStream: Sendable {
  public var chunks: [ChunkID]
  public var rawBytes: Int
  /// Sealed bytes this stream added (chunks not already in the repository).
  public var storedBytes: Int
  /// Chunks that `Compression.auto` compressed at a faster level than it would
  /// have, because the sealers were behind the source.
  public var hurriedChunks = 0
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
  /// One being read (its chunks queued for sealing as they are cut), one being
  /// sealed, one being added: with two, the text-like data ingested about 8%
  /// slower; a fourth gained nothing once chunks were queued as they were cut;
  /// 1 MiB batches (5 MiB buffers) kept the speed of 2 MiB ones at 3 MiB less
  /// (alternating runs by hand).
  private let buffers = 3
  private let indexEvery: Int
  private let lock = NSLock()
  private var pack: PackBuilder
  private var inPack: Set<ChunkID> = []
  private var unindexed: [(id: String, entries: [PackEntry])] = []
  private let uploader: PackUploader
  /// Called with the number of bytes read, from any thread, for progress displays.
  public var onBytes: (@Sendable (Int) -> Void)?
  /// Whether the sealers count as behind the source for every batch, instead of
  /// as `SealingPace` measures it: for tests of what `Compression.auto` does in
  /// each case, which the machine's speed must not decide.
  public var assumedBehind: Bool?

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
  /// One thread reads the stream into recycled buffers, cutting and naming chunks as
  /// their bytes arrive and queuing each new chunk for sealing as soon as its last
  /// byte is in; one sealing thread per core compresses and seals them, while this
  /// thread adds each batch's sealed chunks in order and frees its buffer. `buffers`
  /// buffers bound the memory. Throws whatever the source throws (a failed dump);
  /// chunks already stored stay in the repository for the next backup to reuse,
  /// but no set names them.
  public func store(_ source: any ByteStream) throws -> StoredStream {
    let reader = ChunkReader(
      source: source, chunker: repository.chunker, idKey: repository.master.chunkID, batchSize: batchSize)
    let free = Channel<ChunkBuffer>()
    for _ in 0..<buffers { free.put(ChunkBuffer(capacity: reader.bufferSize)) }
    // Each sealing thread has its own sealer (buffer and zstd context), taken from
    // the pool. Queuing a chunk the moment it is cut, not once its buffer is full,
    // keeps them busy while the reader fills the next megabytes.
    let jobs = Channel<SealingJob>()
    let workers = DispatchGroup()
    let pace = SealingPace(workers: Cores.available)
    let assumedBehind = self.assumedBehind
    for _ in 0..<Cores.available {
      workers.enter()
      Thread.detachNewThread { [self] in
        defer { workers.leave() }
        while let job = pace.take(from: jobs) { seal(job) }
      }
    }
    defer {
      jobs.close()  // the workers finish what is queued: a failed batch still owns its buffer
      workers.wait()
    }
    let ready = Channel<SealingBatch>()
    let readFailure = Locked<(any Error)?>(nil)
    let readerDone = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
      defer {
        ready.close()
        readerDone.signal()
      }
      while let buffer = free.take() {
        let batch = SealingBatch(buffer, slots: reader.maxChunks, behind: assumedBehind ?? pace.behind())
        do {
          let more = try reader.nextBatch(into: buffer) { i, range, id in
            batch.group.enter()
            if !jobs.put(SealingJob(batch: batch, index: i, range: range, id: id)) { batch.group.leave() }
          }
          guard more else { return }
        } catch {
          readFailure.value = error
          return
        }
        guard ready.put(batch) else { return }
      }
    }
    defer {
      free.close()
      ready.close()
      readerDone.wait()
    }
    var result = StoredStream(chunks: [], rawBytes: 0, storedBytes: 0)
    while let batch = ready.take() { try add(batch, into: &result, free: free) }
    if let error = readFailure.value { throw error }
    return result
  }

  /// Seals one chunk unless the repository has it (on a sealing thread).
  private func seal(_ job: SealingJob) {
    let batch = job.batch
    defer { batch.group.leave() }
    guard batch.failure.value == nil, !isKnown(job.id) else { return }
    do {
      let chunk = UnsafeRawBufferPointer(rebasing: batch.buffer.bytes[job.range])
      batch.sealed[job.index] = try sealers.use {
        let sealed = try $0.seal(chunk, id: job.id, master: repository.master, behind: batch.behind)
        if $0.hurried { batch.hurried.withLock { $0 += 1 } }
        return sealed
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
    free.put(buffer)
    result.rawBytes += bytes
    result.hurriedChunks += batch.hurried.value
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
/// `sealed`, read once the batch is read and `group` is done.
private final class SealingBatch: @unchecked Sendable {
  let buffer: ChunkBuffer
  /// The sealers were behind the source when the batch began (`SealingPace`).
  let behind: Bool
  let group = DispatchGroup()
  let sealed: UnsafeMutableBufferPointer<Data?>
  let failure = Locked<(any Error)?>(nil)
  let hurried = Locked(0)

  init(_ buffer: ChunkBuffer, slots: Int, behind: Bool) {
    self.buffer = buffer
    self.behind = behind
    sealed = .allocate(capacity: slots)
    sealed.initialize(repeating: nil)
  }

  deinit {
    sealed.deinitialize()
    sealed.deallocate()
  }
}

/// One chunk to seal. Its range and id travel with it: the reader is still
/// appending to the buffer's lists while the chunk is sealed.
private struct SealingJob: @unchecked Sendable {
  let batch: SealingBatch
  let index: Int
  let range: Range<Int>
  let id: ChunkID
}
