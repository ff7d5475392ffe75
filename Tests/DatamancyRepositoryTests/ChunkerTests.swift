import Crypto
import DatamancyRepository
import XCTest

/// The lengths of the chunks `chunker` cuts `data` into.
func cuts(_ data: [UInt8], _ chunker: Chunker) -> [Int] {
  var lengths: [Int] = []
  data.withUnsafeBufferPointer { buffer in
    var start = 0
    while start < buffer.count {
      let length = chunker.cut(buffer.baseAddress! + start, count: buffer.count - start)
      lengths.append(length)
      start += length
    }
  }
  return lengths
}

final class ChunkerTests: XCTestCase {
  let parameters = ChunkerParameters(minSize: 2048, averageSize: 8192, maxSize: 32768)

  func testSizesStayWithinBoundsAndNearTheAverage() {
    let chunker = Chunker(parameters: parameters, seed: SymmetricKey(size: .bits256))
    let lengths = cuts(Fixtures.bytes(4 << 20), chunker)
    XCTAssertEqual(lengths.reduce(0, +), 4 << 20)
    for length in lengths.dropLast() {
      XCTAssertGreaterThan(length, parameters.minSize)
      XCTAssertLessThanOrEqual(length, parameters.maxSize)
    }
    let average = Double(4 << 20) / Double(lengths.count)
    XCTAssertEqual(average, Double(parameters.averageSize), accuracy: Double(parameters.averageSize) * 0.5)
  }

  func testBoundariesAreKeyedAndDeterministic() {
    let data = Fixtures.bytes(1 << 20)
    let seed = SymmetricKey(size: .bits256)
    let one = cuts(data, Chunker(parameters: parameters, seed: seed))
    XCTAssertEqual(one, cuts(data, Chunker(parameters: parameters, seed: seed)))
    XCTAssertNotEqual(one, cuts(data, Chunker(parameters: parameters, seed: SymmetricKey(size: .bits256))))
  }

  func testDefaultParametersAreValid() {
    XCTAssertNil(ChunkerParameters.default.problem)
    XCTAssertNotNil(ChunkerParameters(minSize: 10, averageSize: 3000, maxSize: 9000).problem)
    XCTAssertNotNil(ChunkerParameters(minSize: 8192, averageSize: 4096, maxSize: 9000).problem)
  }
}

/// Where chunks end is part of the repository format: a chunker that cut elsewhere
/// would still be correct, but new backups would stop deduplicating against old
/// ones. These lengths were produced by the original byte-at-a-time loop.
final class ChunkerBoundaryTests: XCTestCase {
  let parameters = ChunkerParameters(minSize: 2048, averageSize: 8192, maxSize: 32768)
  let seed = SymmetricKey(data: [UInt8](repeating: 7, count: 32))

  func lengths(_ data: [UInt8]) -> [Int] {
    cuts(data, Chunker(parameters: parameters, seed: seed))
  }

  func testRandomDataCutsWhereTheFormatSays() {
    // Every remainder modulo 4 occurs, so a cut at each offset of a four-byte step is covered.
    XCTAssertEqual(
      lengths(Fixtures.bytes(256 << 10, seed: 9)),
      [
        8397, 9626, 11500, 5468, 8540, 6938, 7969, 9008, 8461, 8775, 8765, 10926, 10287, 12861, 12291,
        8284, 10124, 8446, 10710, 12363, 9895, 10642, 3282, 10510, 8438, 13271, 3007, 11574, 1786,
      ])
  }

  func testTextCutsWhereTheFormatSays() {
    // Rows of a dump: low entropy, cuts late or at the maximum.
    let rows = (0..<6000).map { "\($0)\t\($0 % 7)\t0\t\(String(repeating: " ", count: $0 % 13))\n" }
    XCTAssertEqual(
      lengths(Array(rows.joined().utf8)), [15870, 11454, 8793, 9383, 11738, 9090, 9961, 9104, 6152, 3324])
  }
}
