import DatamancyRepository
import DatamancyStorage
import DatamancyTestSupport
import Foundation
import XCTest

/// Restores from a folder-like storage open chunks through a sliding window: in
/// order, never more than the window ahead of the sink, and a failure stops them.
final class ChunkWindowTests: XCTestCase {
  func testEveryWindowRestoresTheSameBytes() throws {
    let repository = try Fixtures.repository()
    let data = Fixtures.bytes(400_000)
    let set = try Fixtures.backup(data, into: repository)
    let ids = try ChunkStreamer.ids(of: set.items[0], set: set)
    XCTAssertGreaterThan(ids.count, 40)
    for window in [1, 2, 3, 16] {
      var streamer = ChunkStreamer(repository: repository)
      streamer.window = window
      var out: [UInt8] = []
      try streamer.stream(ids) { out.append(contentsOf: $0) }
      XCTAssertEqual(out, data, "window \(window)")
    }
  }

  func testChunksAreOpenedAtMostTheWindowAheadOfTheSink() throws {
    let storage = CountingStorage()
    let repository = try Fixtures.repository(storage)
    let set = try Fixtures.backup(Fixtures.bytes(400_000), into: repository)
    let ids = try ChunkStreamer.ids(of: set.items[0], set: set)
    var streamer = ChunkStreamer(repository: repository)
    streamer.window = 3
    let before = storage.packReads
    var seen = 0
    try streamer.stream(ids) { _ in
      if seen == 0 {
        // The workers fill the window while the sink holds the first chunk: the
        // chunk in the sink and the three after it (waited for, not timed).
        let deadline = Date().addingTimeInterval(60)
        while storage.packReads - before < 4 && Date() < deadline { usleep(1000) }
        XCTAssertEqual(storage.packReads - before, 4, "the window filled")
      }
      // Never more than the window ahead of the chunk in the sink.
      XCTAssertLessThanOrEqual(storage.packReads - before, seen + 1 + 3, "at chunk \(seen)")
      seen += 1
    }
    XCTAssertEqual(seen, ids.count)
  }

  func testAFailingSinkStopsTheStreamAndItsWorkers() throws {
    let storage = CountingStorage()
    let repository = try Fixtures.repository(storage)
    let set = try Fixtures.backup(Fixtures.bytes(400_000), into: repository)
    let ids = try ChunkStreamer.ids(of: set.items[0], set: set)
    struct Full: Error {}
    var streamer = ChunkStreamer(repository: repository)
    streamer.window = 2
    let before = storage.packReads
    var seen = 0
    XCTAssertThrowsError(
      try streamer.stream(ids) { _ in
        seen += 1
        if seen == 3 { throw Full() }
      }
    ) { XCTAssertTrue($0 is Full, "\($0)") }
    // Returned once the workers had left: nothing reads after the failure.
    let after = storage.packReads
    Thread.sleep(forTimeInterval: 0.1)
    XCTAssertEqual(storage.packReads, after)
    XCTAssertLessThanOrEqual(after - before, 3 + 2)
  }
}
