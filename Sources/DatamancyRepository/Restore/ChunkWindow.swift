import DatamancyPOSIX
import Foundation

/// Opens the chunks of a stream on one thread per core, each thread taking the next
/// chunk as soon as it is done with its last, at most `window` chunks ahead of the
/// one the sink takes. Batches opened together waited for their slowest chunk, and
/// the cores idled while the sink wrote; a sliding window has no such barrier.
///
/// Reads one chunk per request, so it suits storage whose reads cost no round trip
/// (a folder); `ChunkBatchReader` gathers neighbouring chunks into one read for
/// object storage.
struct ChunkWindow {
  let repository: Repository
  let window: Int
  /// Whether every chunk's id is recomputed (`PackFormat.openChunk`).
  var recomputeIDs = false

  /// Calls `sink` with each chunk's plaintext, in order; stops at the first failure.
  func stream(_ chunks: [ChunkID], to sink: (Data) throws -> Void) throws {
    let state = WindowState(count: chunks.count, window: window)
    let workers = DispatchGroup()
    let (repository, recomputeIDs) = (self.repository, self.recomputeIDs)
    for _ in 0..<min(Cores.available, max(1, chunks.count)) {
      workers.enter()
      Thread.detachNewThread {
        defer { workers.leave() }
        let decompressor = ZstdDecompressor()
        while let i = state.claim() {
          state.put(
            i, Self.open(chunks[i], in: repository, decompressor: decompressor, recomputeID: recomputeIDs))
        }
      }
    }
    defer {
      state.stop()
      workers.wait()
    }
    for i in chunks.indices { try sink(try state.take(i).get()) }
  }

  /// One chunk's plaintext, authenticated and checked (`PackFormat.openChunk`).
  static func open(
    _ id: ChunkID, in repository: Repository, decompressor: ZstdDecompressor, recomputeID: Bool
  ) -> Result<Data, any Error> {
    Result {
      let location = try ChunkBatchReader.locate(id, in: repository).get()
      let start = Int(location.entry.offset)
      let sealed = try ChunkBatchReader.fetch(
        location.pack, from: start, to: start + Int(location.entry.length), in: repository)
      return try repository.openChunk(
        sealed, at: location, decompressor: decompressor, recomputeID: recomputeID)
    }
  }
}

/// The window's bookkeeping under one lock: which chunk is next to open, which the
/// sink has taken, and the opened chunks waiting for it.
private final class WindowState: @unchecked Sendable {
  private let condition = NSCondition()
  private var slots: [Result<Data, any Error>?]
  private let window: Int
  private var next = 0
  private var taken = 0
  private var stopped = false

  init(count: Int, window: Int) {
    slots = Array(repeating: nil, count: count)
    self.window = max(1, window)
  }

  /// The next chunk to open, once it is within the window; nil at the end.
  func claim() -> Int? {
    condition.lock()
    defer { condition.unlock() }
    while !stopped && next < slots.count && next - taken >= window { condition.wait() }
    guard !stopped && next < slots.count else { return nil }
    next += 1
    return next - 1
  }

  func put(_ i: Int, _ result: Result<Data, any Error>) {
    condition.lock()
    slots[i] = result
    condition.broadcast()
    condition.unlock()
  }

  /// Waits for chunk `i`, then empties its slot so its plaintext is freed once written.
  func take(_ i: Int) -> Result<Data, any Error> {
    condition.lock()
    defer { condition.unlock() }
    while slots[i] == nil { condition.wait() }
    let result = slots[i]!
    slots[i] = nil
    taken = i + 1
    condition.broadcast()
    return result
  }

  /// Lets every waiting worker leave (the stream ended or failed).
  func stop() {
    condition.lock()
    stopped = true
    condition.broadcast()
    condition.unlock()
  }
}
