import DatamancyRepository
import Foundation
import XCTest

/// Hands out its bytes in reads of varying sizes, as a pipe does.
final class TricklingSource: ByteSource {
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
      let stored = try session.store(TricklingSource(data, sizes: sizes))
      XCTAssertEqual(stored.chunks, expected, "reads of \(sizes) bytes")
      XCTAssertEqual(stored.rawBytes, data.count)
    }
  }

  func testShortAndEmptyStreams() throws {
    let repository = try Fixtures.repository()
    for count in [0, 1, 1023, 1024, 1025, 16_384, 16_385] {
      let data = Fixtures.bytes(count, seed: UInt64(count) + 1)
      let session = BackupSession(repository: repository, batchSize: 8 << 10)
      let stored = try session.store(TricklingSource(data, sizes: [100, 7]))
      XCTAssertEqual(stored.chunks, expectedIDs(data, repository), "\(count) bytes")
    }
  }
}
