import DatamancyRepository
import DatamancyStorage
import DatamancyTestSupport
import Foundation
import XCTest

/// Restores read neighbouring chunks of a pack with one request, and still
/// authenticate every chunk.
final class CoalescedReadTests: XCTestCase {
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
