import DatamancyPOSIX
import DatamancyRepository
import DatamancyStorage
import XCTest

final class RoundTripTests: XCTestCase {
  func testSizesAroundChunkBoundaries() throws {
    let repository = try Fixtures.repository()
    let p = repository.config.chunker
    let sizes = [
      0, 1, p.minSize - 1, p.minSize, p.minSize + 1, p.averageSize, p.maxSize - 1, p.maxSize,
      p.maxSize + 1, 2 * p.maxSize + 3, 300_001,
    ]
    for (i, size) in sizes.enumerated() {
      let data = Fixtures.bytes(size, seed: UInt64(i + 1))
      let set = try Fixtures.backup(data, into: repository)
      XCTAssertEqual(set.items[0].rawBytes, size)
      XCTAssertEqual(try Fixtures.restore(set, from: repository), data, "size \(size)")
    }
  }

  func testReopenedRepositoryReadsWhatWasWritten() throws {
    let storage = MemoryStorage()
    let data = Fixtures.bytes(200_000)
    let set = try Fixtures.backup(data, into: try Fixtures.repository(storage))
    let reopened = try Repository.open(storage: storage, password: Fixtures.password)
    try reopened.loadIndex()
    let found = try reopened.findSet(String(set.id.prefix(6)))
    XCTAssertEqual(try Fixtures.restore(found, from: reopened), data)
    XCTAssertEqual(try reopened.findSet("latest").id, set.id)
  }

  func testUncompressedRepository() throws {
    // Numbered lines: compressible, yet no two chunks alike, so deduplication
    // cannot shrink them either, whatever cut points the repository's key gives.
    let data = Array((0..<12_000).map { "row \($0)\n" }.joined().utf8)
    var options = Fixtures.smallOptions
    options.compression = .none
    let plain = try Fixtures.repository(options: options)
    let stored = try Fixtures.backup(data, into: plain)
    XCTAssertEqual(try Fixtures.restore(stored, from: plain), data)
    XCTAssertGreaterThanOrEqual(
      stored.items[0].storedBytes, data.count, "without compression every byte is stored")
    let compressed = try Fixtures.backup(data, into: try Fixtures.repository())
    XCTAssertLessThan(compressed.items[0].storedBytes, data.count / 2, "the same data compressed")
  }

  func testSameDataTwiceAddsUnderOnePercent() throws {
    // Default chunk sizes: the set's chunk list is what the second backup adds.
    var options = InitOptions()
    options.kdfCost = 1024
    let storage = MemoryStorage()
    let repository = try Fixtures.repository(storage, options: options)
    let data = Fixtures.bytes(32 << 20)
    try Fixtures.backup(data, into: repository)
    let before = try Fixtures.size(of: storage)
    let second = try Fixtures.backup(data, into: repository)
    let added = try Fixtures.size(of: storage) - before
    XCTAssertEqual(second.items[0].storedBytes, 0)
    XCTAssertLessThan(Double(added), 0.01 * Double(data.count), "added \(added) bytes")
  }

  func testInsertedBytesOnlyChangeNearbyChunks() throws {
    let repository = try Fixtures.repository()
    var data = Fixtures.bytes(1_000_000)
    let first = try Fixtures.backup(data, into: repository)
    data.insert(contentsOf: [1, 2, 3], at: 500_000)
    let second = try Fixtures.backup(data, into: repository)
    XCTAssertLessThan(second.items[0].storedBytes, first.items[0].storedBytes / 20)
    XCTAssertEqual(try Fixtures.restore(second, from: repository), data)
  }

  func testStreamsStoredInParallelShareDedup() throws {
    let repository = try Fixtures.repository()
    let session = BackupSession(repository: repository, batchSize: 64 << 10)
    let data = Fixtures.bytes(500_000)
    let results = ResultBox()
    DispatchQueue.concurrentPerform(iterations: 4) { _ in
      results.append(Result { try session.store(MemoryStream(data)) })
    }
    try session.finish()
    let stored = try results.values.map { try $0.get() }
    XCTAssertEqual(Set(stored.map { $0.chunks.map(\.hex) }).count, 1)
    let total = stored.reduce(0) { $0 + $1.storedBytes }
    XCTAssertLessThan(total, stored[0].rawBytes * 2, "the same chunks were stored more than once")
  }
}

private final class ResultBox: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var values: [Result<StoredStream, Error>] = []
  func append(_ value: Result<StoredStream, Error>) { lock.withLock { values.append(value) } }
}
