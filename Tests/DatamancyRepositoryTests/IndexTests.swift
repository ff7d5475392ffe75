import DatamancyRepository
import XCTest

/// The compact index answers as a dictionary would: across its merges of new
/// entries into the sorted array, every chunk is found at its first location,
/// unknown ids are not, and chunks of unusable packs are named as lost.
final class IndexTests: XCTestCase {
  func randomID() -> ChunkID {
    let words = (0..<4).map { _ in UInt64.random(in: 0...UInt64.max) }
    return ChunkID(
      bytes: words.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } })
  }

  func testLookupsAcrossMergesKeepTheFirstLocation() {
    var index = RepositoryIndex()
    var expected: [ChunkID: (pack: String, offset: UInt32)] = [:]
    // 300 packs of 1,000: the recent additions are merged several times.
    for pack in 0..<300 {
      let name = String(format: "%064x", pack)
      var entries: [PackEntry] = []
      for slot in 0..<1000 {
        let id = pack > 0 && slot == 0 ? expected.keys.first! : randomID()
        entries.append(PackEntry(id: id, offset: UInt32(slot * 100), length: 100, rawLength: 200))
        if expected[id] == nil { expected[id] = (name, UInt32(slot * 100)) }
      }
      index.add(pack: name, entries: entries)
    }
    XCTAssertEqual(index.chunkCount, expected.count)
    for (id, place) in expected {
      let location = index.location(of: id)
      XCTAssertEqual(location?.pack, place.pack)
      XCTAssertEqual(location?.entry.offset, place.offset)
    }
    for _ in 0..<1000 { XCTAssertFalse(index.contains(randomID())) }
    XCTAssertEqual(index.totals.raw, expected.count * 200)
    XCTAssertEqual(index.entriesByPack.values.reduce(0) { $0 + $1.count }, expected.count)

    let lost = randomID()
    index.add(
      pack: String(repeating: "f", count: 64),
      entries: [PackEntry(id: lost, offset: 0, length: 1, rawLength: 1)], unusable: "indexed pack is missing")
    XCTAssertFalse(index.contains(lost))
    XCTAssertEqual(index.lostPack(of: lost), String(repeating: "f", count: 64))
  }
}
