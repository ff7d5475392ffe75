import Crypto
import DatamancyRepository
import XCTest

final class ChunkerTests: XCTestCase {
  let parameters = ChunkerParameters(minSize: 2048, averageSize: 8192, maxSize: 32768)

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
