import Foundation

/// Writes a list of chunks back out in order, fetching and opening several at once
/// so reading, decryption and decompression use every core, while memory stays
/// bounded by one batch.
public struct ChunkStreamer: Sendable {
  public let repository: Repository
  /// Chunks fetched at once.
  public var batch = 8

  public init(repository: Repository) { self.repository = repository }

  /// Calls `sink` with each chunk's plaintext, in order. Every chunk is
  /// authenticated and checked against its id before `sink` sees it.
  public func stream(_ chunks: [ChunkID], to sink: (Data) throws -> Void) throws {
    let decompressors = Pool { ZstdDecompressor() }
    var start = 0
    while start < chunks.count {
      let ids = Array(chunks[start..<min(start + batch, chunks.count)])
      var results = [Result<Data, Error>?](repeating: nil, count: ids.count)
      results.withUnsafeMutableBufferPointer { slots in
        DispatchQueue.concurrentPerform(iterations: ids.count) { i in
          slots[i] = Result {
            try decompressors.use { try repository.readChunk(ids[i], decompressor: $0) }
          }
        }
      }
      for result in results { try sink(try result!.get()) }
      start += ids.count
    }
  }

  /// Parses stored hex ids; a malformed one means the set is damaged.
  public static func ids(of item: BackupItem, set: BackupSet) throws -> [ChunkID] {
    try item.chunks.map {
      guard let id = ChunkID(hex: $0) else {
        throw RepositoryError.damaged(
          file: "snapshots/\(set.id)", reason: "item \(item.name) names a malformed chunk id")
      }
      return id
    }
  }
}
