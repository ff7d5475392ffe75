import DatamancyPOSIX
import Foundation

/// Writes a list of chunks back out in order, fetching and opening several at once
/// so reading, decryption and decompression use every core, while memory stays
/// bounded by a few chunks: from a folder through a sliding window of chunks
/// (`ChunkWindow`), from object storage in batches whose neighbouring chunks are
/// fetched by one read.
public struct ChunkStreamer: Sendable {
  public let repository: Repository
  /// Chunks opened at once where reads wait on the network (more connections than
  /// cores): one per connection.
  public var batch: Int
  /// Opened batches that may wait for the sink. One is enough to keep the sink
  /// busy while the next batch opens; two held another batch of plaintext for
  /// no gain in speed that alternating runs could show.
  public var queued = 1
  /// Chunks opened ahead of the sink where reads are local (`ChunkWindow`): two per
  /// core; four per core was no faster and held more plaintext.
  public var window = 2 * Cores.available
  /// Recompute every chunk's id from its plaintext, as `verify` does; without it a
  /// chunk whose zstd frame carries a checksum is checked by that checksum
  /// (`PackFormat.openChunk`).
  public var recomputesIDs = false

  public init(repository: Repository) {
    self.repository = repository
    batch = max(Cores.available, repository.connections)
  }

  /// Calls `sink` with each chunk's plaintext, in order. Every chunk is
  /// authenticated and its plaintext checked before `sink` sees it.
  ///
  /// Local reads go through `ChunkWindow`. Otherwise a reader thread opens the next
  /// batch on all cores while `sink` writes the previous one; at most `queued`
  /// batches wait between them.
  public func stream(_ chunks: [ChunkID], to sink: (Data) throws -> Void) throws {
    if repository.connections <= Cores.available {
      return try ChunkWindow(repository: repository, window: window, recomputeIDs: recomputesIDs).stream(
        chunks, to: sink)
    }
    let ready = Channel<[Result<Data, any Error>]>(capacity: queued)
    let readerDone = DispatchSemaphore(value: 0)
    let (repository, batch, recomputeIDs) = (self.repository, self.batch, self.recomputesIDs)
    Thread.detachNewThread {
      defer {
        ready.close()
        readerDone.signal()
      }
      let decompressors = Pool { ZstdDecompressor() }
      var start = 0
      while start < chunks.count {
        let ids = Array(chunks[start..<min(start + batch, chunks.count)])
        var reader = ChunkBatchReader(repository: repository)
        reader.recomputeIDs = recomputeIDs
        let results = reader.read(ids, decompressors: decompressors)
        guard ready.put(results) else { return }
        start += ids.count
      }
    }
    defer {
      ready.close()
      readerDone.wait()
    }
    while let results = ready.take() {
      for result in results { try sink(try result.get()) }
    }
  }

  /// Parses stored hex ids; a malformed one means the set is damaged. A tree
  /// item is not one stream: its files are read through its trees.
  public static func ids(of item: BackupItem, set: BackupSet) throws -> [ChunkID] {
    guard item.format != .tree else { throw RepositoryError.notAStream(item: item.name) }
    return try item.chunks.map {
      guard let id = ChunkID(hex: $0) else {
        throw RepositoryError.damaged(
          file: "snapshots/\(set.id)", reason: "item \(item.name) names a malformed chunk id")
      }
      return id
    }
  }
}
