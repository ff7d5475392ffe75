import DatamancyRepository
import DatamancyStorage
import Foundation
import XCTest

/// The reader cuts and names chunks a read at a time; the result must be exactly
/// the chunks and ids of cutting the whole stream at once and hashing each chunk:
/// both decide deduplication against everything stored before.
final class ChunkReaderTests: XCTestCase {
  func expectedIDs(_ data: [UInt8], _ repository: Repository) -> [ChunkID] {
    var start = 0
    return cuts(data, repository.chunker).map { length in
      defer { start += length }
      return data[start..<start + length].withUnsafeBytes { repository.master.id(of: $0) }
    }
  }

  func testChunksReadInPiecesAreTheChunksOfTheWhole() throws {
    let repository = try Fixtures.repository()
    // Random data and long runs of one byte (which reach the maximal chunk size).
    let data =
      Fixtures.bytes(300_000) + [UInt8](repeating: 0x20, count: 70_000) + Fixtures.bytes(50_000, seed: 7)
    let expected = expectedIDs(data, repository)
    XCTAssertGreaterThan(expected.count, 50)
    for sizes in [[1], [1, 4095, 17], [3, 1024, 65_536], [1 << 20]] {
      let session = BackupSession(repository: repository, batchSize: 8 << 10)
      let stored = try session.store(TricklingStream(data, sizes: sizes))
      XCTAssertEqual(stored.chunks, expected, "reads of \(sizes) bytes")
      XCTAssertEqual(stored.rawBytes, data.count)
    }
  }

  func testShortAndEmptyStreams() throws {
    let repository = try Fixtures.repository()
    for count in [0, 1, 1023, 1024, 1025, 16_384, 16_385] {
      let data = Fixtures.bytes(count, seed: UInt64(count) + 1)
      let session = BackupSession(repository: repository, batchSize: 8 << 10)
      let stored = try session.store(TricklingStream(data, sizes: [100, 7]))
      XCTAssertEqual(stored.chunks, expectedIDs(data, repository), "\(count) bytes")
    }
  }
}

extension ChunkReaderTests {
  /// Streams read in odd pieces restore to the same bytes and pass a full check:
  /// text that compresses, random bytes that do not, and a second stream where
  /// stored and new runs alternate.
  func testStreamsReadInPiecesRestoreAndCheck() throws {
    let storage = MemoryStorage()
    let repository = try Fixtures.repository(storage)
    let text = Array((0..<8_000).map { "row \($0)\tsome text that repeats\n" }.joined().utf8)
    let random = Fixtures.bytes(120_000, seed: 9)
    let first = text + random
    let firstSet = try Fixtures.backup(TricklingStream(first, sizes: [100, 7, 5000]), into: repository)
    XCTAssertEqual(try Fixtures.restore(firstSet, from: repository), first)
    XCTAssertLessThan(firstSet.items[0].storedBytes, random.count + text.count / 4)
    let second = random + Fixtures.bytes(60_000, seed: 10) + text + Array(text.reversed()) + random
    let secondSet = try Fixtures.backup(TricklingStream(second, sizes: [65_536, 3]), into: repository)
    XCTAssertEqual(try Fixtures.restore(secondSet, from: repository), second)
    let report = try Checker(repository: try Repository.open(storage: storage, password: Fixtures.password))
      .check(readData: true)
    XCTAssertTrue(report.passed, "\(report.errors)")
  }
}
