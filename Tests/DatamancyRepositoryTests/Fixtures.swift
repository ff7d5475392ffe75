import DatamancyPOSIX
import DatamancyRepository
import DatamancyStorage
import Foundation

/// Shared set-up: cheap key derivation and small chunks, so tests exercise many
/// chunks and packs with little data.
enum Fixtures {
  static let password = "correct horse battery staple"

  static var smallOptions: InitOptions {
    var options = InitOptions()
    options.kdfCost = 1024
    options.chunker = ChunkerParameters(minSize: 1024, averageSize: 4096, maxSize: 16384)
    options.packSize = 64 << 10
    return options
  }

  static func repository(_ storage: Storage = MemoryStorage(), options: InitOptions = smallOptions) throws
    -> Repository
  {
    try Repository.initialize(
      storage: storage, password: password, options: options, now: Date(), host: "test")
  }

  /// Deterministic pseudo-random numbers (xorshift), so failures reproduce.
  struct XorShift {
    private var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
      return state
    }
  }

  /// Deterministic pseudo-random bytes, so failures reproduce.
  static func bytes(_ count: Int, seed: UInt64 = 42) -> [UInt8] {
    var random = XorShift(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
  }

  /// Stores `data` as one item of a new set; returns the saved set.
  @discardableResult
  static func backup(_ data: [UInt8], into repository: Repository, name: String = "item") throws
    -> BackupSet
  {
    try backup(MemoryStream(data), into: repository, name: name)
  }

  /// Stores what `source` reads as one item of a new set; returns the saved set.
  @discardableResult
  static func backup(_ source: ByteStream, into repository: Repository, name: String = "item") throws
    -> BackupSet
  {
    try store(source, into: repository, name: name).set
  }

  /// Stores what `source` reads as one item of a new set; returns the saved set and
  /// what the session reported.
  static func store(
    _ source: ByteStream, into repository: Repository, name: String = "item",
    compression: Compression? = nil, behind: Bool? = nil
  ) throws -> (set: BackupSet, stored: StoredStream) {
    let session = BackupSession(repository: repository, compression: compression, batchSize: 64 << 10)
    session.assumedBehind = behind
    let stored = try session.store(source)
    try session.finish()
    let item = BackupItem(
      name: name, source: name, format: .stream, status: .ok, rawBytes: stored.rawBytes,
      storedBytes: stored.storedBytes, durationSeconds: 0, chunks: stored.chunks.map(\.hex))
    let set = try repository.save(BackupSet(time: Date(), host: "test", durationSeconds: 0, items: [item]))
    return (set, stored)
  }

  /// Reads an item back.
  static func restore(_ set: BackupSet, from repository: Repository, item: Int = 0) throws -> [UInt8] {
    var out: [UInt8] = []
    try ChunkStreamer(repository: repository).stream(
      try ChunkStreamer.ids(of: set.items[item], set: set)
    ) { out.append(contentsOf: $0) }
    return out
  }

  /// Total bytes stored.
  static func size(of storage: Storage) throws -> Int {
    try storage.list(prefix: "").reduce(0) { $0 + (try storage.stat($1).size) }
  }
}

/// Hands out its bytes in reads of varying sizes, as a pipe does.
final class TricklingStream: ByteStream {
  private let data: [UInt8]
  private let sizes: [Int]
  private var position = 0
  private var reads = 0

  init(_ data: [UInt8], sizes: [Int]) {
    self.data = data
    self.sizes = sizes
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let n = min(buffer.count, data.count - position, sizes[reads % sizes.count])
    reads += 1
    data.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
    position += n
    return n
  }
}
