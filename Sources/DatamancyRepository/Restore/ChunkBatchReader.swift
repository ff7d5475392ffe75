import DatamancyPOSIX
import DatamancyStorage
import Foundation

/// Reads a batch of chunks with as few storage requests as it can: chunks that lie
/// close together in one pack (as the chunks of one stream usually do) are fetched
/// by one ranged read and cut apart. On object storage every request costs a round
/// trip, and a compressible dump packs dozens of chunks into each megabyte.
struct ChunkBatchReader {
  let repository: Repository
  /// Unwanted bytes a read may span between two wanted chunks.
  var gap = 1 << 20
  /// The longest single read.
  var maxSpan = 16 << 20
  /// Whether every chunk's id is recomputed from its plaintext
  /// (`PackFormat.openChunk`).
  var recomputeIDs = false

  /// One read: a range of a pack and the batch positions of the chunks inside it.
  struct Span {
    var pack: String
    var start: Int
    var end: Int
    var members: [(position: Int, location: ChunkLocation)]
  }

  /// Every chunk's plaintext (authenticated and checked, `PackFormat.openChunk`), or why not,
  /// in the order of `ids`.
  func read(_ ids: [ChunkID], decompressors: Pool<ZstdDecompressor>) -> [Result<Data, any Error>] {
    let (repository, recomputeIDs) = (self.repository, self.recomputeIDs)
    let slots = Locked<[Result<Data, any Error>?]>(Array(repeating: nil, count: ids.count))
    var located: [(position: Int, location: ChunkLocation)] = []
    for (position, id) in ids.enumerated() {
      switch Self.locate(id, in: repository) {
      case .success(let location): located.append((position, location))
      case .failure(let missing): slots.withLock { $0[position] = .failure(missing) }
      }
    }
    let spans = Self.spans(located, gap: gap, maxSpan: maxSpan)
    // First the reads (they wait on storage), then the opening of every chunk on
    // all cores (decryption and decompression wait on the CPU).
    let fetched = Locked<[Result<Data, any Error>?]>(Array(repeating: nil, count: spans.count))
    ParallelReads.run(spans.count, connections: repository.connections) { i in
      let span = spans[i]
      let bytes = Result { try Self.fetch(span.pack, from: span.start, to: span.end, in: repository) }
      fetched.withLock { $0[i] = bytes }
    }
    let work = spans.indices.flatMap { i in spans[i].members.map { (span: i, member: $0) } }
    DispatchQueue.concurrentPerform(iterations: work.count) { k in
      let (i, member) = work[k]
      let result = fetched.withLock { $0[i]! }.flatMap { bytes in
        Result {
          let from = bytes.startIndex + Int(member.location.entry.offset) - spans[i].start
          let sealed = bytes[from..<from + Int(member.location.entry.length)]
          return try decompressors.use {
            try repository.openChunk(
              sealed, at: member.location, decompressor: $0, recomputeID: recomputeIDs)
          }
        }
      }
      slots.withLock { $0[member.position] = result }
    }
    return slots.value.map { $0! }
  }

  /// Where the index keeps a chunk, or the damage that lost it.
  static func locate(_ id: ChunkID, in repository: Repository) -> Result<ChunkLocation, RepositoryError> {
    if let location = repository.index.location(of: id) { return .success(location) }
    if let pack = repository.index.lostPack(of: id) {
      let problem = repository.index.unusablePacks[pack] ?? "indexed pack is missing"
      return .failure(
        .damaged(
          file: PackFormat.name(of: pack), reason: "\(problem), and it holds chunk \(id.hex.prefix(16))"))
    }
    return .failure(.damaged(file: "index", reason: "chunk \(id.hex.prefix(16)) is not indexed"))
  }

  /// Bytes `start..<end` of a pack; a missing or short pack is damage.
  static func fetch(_ pack: String, from start: Int, to end: Int, in repository: Repository) throws -> Data {
    let name = PackFormat.name(of: pack)
    do {
      return try repository.storage.get(name, offset: start, length: end - start)
    } catch let error as StorageError where error.isNotFound {
      throw RepositoryError.damaged(file: name, reason: "indexed pack is missing")
    } catch let error as StorageError {
      if case .shortRead = error { throw RepositoryError.damaged(file: name, reason: "it is truncated") }
      throw RepositoryError.storage(error)
    }
  }

  /// Groups chunk locations into reads: by pack, in offset order, a chunk joining
  /// the previous read when the bytes between them are at most `gap` and the read
  /// stays within `maxSpan`.
  static func spans(_ located: [(position: Int, location: ChunkLocation)], gap: Int, maxSpan: Int) -> [Span] {
    let sorted = located.sorted {
      ($0.location.pack, $0.location.entry.offset) < ($1.location.pack, $1.location.entry.offset)
    }
    var spans: [Span] = []
    for member in sorted {
      let start = Int(member.location.entry.offset)
      let end = start + Int(member.location.entry.length)
      // The last span is changed in place: a copy of it would copy its members
      // for every chunk appended.
      let last = spans.count - 1
      if last >= 0, spans[last].pack == member.location.pack, start - spans[last].end <= gap,
        max(end, spans[last].end) - spans[last].start <= maxSpan
      {
        spans[last].end = max(spans[last].end, end)
        spans[last].members.append(member)
      } else {
        spans.append(Span(pack: member.location.pack, start: start, end: end, members: [member]))
      }
    }
    return spans
  }
}
