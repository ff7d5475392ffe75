import DatamancyRepository
import DatamancyStorage
import Foundation
import XCTest

/// Restores read neighbouring chunks of a pack with one request, and still
/// authenticate every chunk.
final class CoalescedReadTests: XCTestCase {
  /// Counts reads of pack files.
  final class CountingStorage: Storage, @unchecked Sendable {
    let inner = MemoryStorage()
    private let lock = NSLock()
    private var reads = 0
    var packReads: Int { lock.withLock { reads } }
    var location: String { inner.location }
    func put(_ name: String, data: Data) throws { try inner.put(name, data: data) }
    func get(_ name: String, offset: Int, length: Int?) throws -> Data {
      if name.hasPrefix("data/") { lock.withLock { reads += 1 } }
      return try inner.get(name, offset: offset, length: length)
    }
    func listObjects(prefix: String) throws -> [ObjectInfo] { try inner.listObjects(prefix: prefix) }
    func stat(_ name: String) throws -> ObjectInfo { try inner.stat(name) }
    func delete(_ name: String) throws { try inner.delete(name) }
  }

  func testNeighbouringChunksAreReadTogether() throws {
    let storage = CountingStorage()
    let repository = try Fixtures.repository(storage)
    // As on object storage, where requests cost round trips: a batch opens one
    // chunk per connection.
    repository.connections = 8
    let data = Fixtures.bytes(600_000)
    let set = try Fixtures.backup(data, into: repository)
    let chunks = set.items[0].chunks.count
    XCTAssertGreaterThan(chunks, 40)
    XCTAssertEqual(try Fixtures.restore(set, from: repository), data)
    // Eight chunks per batch, mostly in one pack: well under a third of the requests.
    XCTAssertLessThanOrEqual(storage.packReads, chunks / 3, "\(storage.packReads) reads for \(chunks) chunks")
  }

  func testAFlippedByteInACoalescedReadIsFoundAndNamed() throws {
    let storage = CountingStorage()
    let repository = try Fixtures.repository(storage)
    let set = try Fixtures.backup(Fixtures.bytes(300_000), into: repository)
    let pack = try XCTUnwrap(try storage.list(prefix: "data/").sorted().first)
    var bytes = try storage.get(pack)
    bytes[bytes.count / 2] ^= 0x01
    try storage.inner.put(pack, data: bytes)
    XCTAssertThrowsError(try Fixtures.restore(set, from: repository)) { error in
      XCTAssertTrue("\(error)".contains(pack), "\(error)")
    }
  }
}
