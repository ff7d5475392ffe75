import DatamancyStorage
import Foundation
import XCTest

/// A storage that fails every operation's first `failures` tries with `error`.
final class FlakyStorage: Storage, @unchecked Sendable {
  let inner = MemoryStorage()
  let failures: Int
  let error: StorageError
  private var counts: [String: Int] = [:]
  private let lock = NSLock()
  private(set) var calls = 0

  init(failures: Int, error: StorageError) {
    self.failures = failures
    self.error = error
  }

  var location: String { "flaky" }

  func fail(_ key: String) throws {
    let count = lock.withLock { () -> Int in
      calls += 1
      counts[key, default: 0] += 1
      return counts[key]!
    }
    if count <= failures { throw error }
  }

  func put(_ name: String, data: Data) throws {
    try fail("put " + name + "\(data.count)")
    try inner.put(name, data: data)
  }
  func get(_ name: String, offset: Int, length: Int?) throws -> Data {
    try fail("get \(name) \(offset) \(String(describing: length))")
    return try inner.get(name, offset: offset, length: length)
  }
  func listObjects(prefix: String) throws -> [ObjectInfo] {
    try fail("list " + prefix)
    return try inner.listObjects(prefix: prefix)
  }
  func stat(_ name: String) throws -> ObjectInfo {
    try fail("stat " + name)
    return try inner.stat(name)
  }
  func delete(_ name: String) throws {
    try fail("delete " + name)
    try inner.delete(name)
  }
}

final class RetryingStorageTests: XCTestCase {
  static let unavailable = StorageError.unavailable(
    operation: "write", name: "x", location: "flaky", reason: "the storage answered 503 ServiceUnavailable")

  func testTransientFailuresAreRetriedUntilTheyPass() throws {
    var delays: [Double] = []
    try StorageConformance.assertConformance {
      RetryingStorage(FlakyStorage(failures: 2, error: Self.unavailable), sleep: { delays.append($0) })
    }
    XCTAssertFalse(delays.isEmpty)
    // Backoff grows and stays within its window: the second retry waits longer on average.
    XCTAssertTrue(delays.allSatisfy { $0 >= 0.1 && $0 <= 10 }, "\(delays)")
  }

  func testPermanentErrorsPassAtOnceAndRetriesEnd() {
    let denied = StorageError.io(operation: "write", name: "x", location: "flaky", reason: "AccessDenied")
    let flaky = FlakyStorage(failures: 100, error: denied)
    XCTAssertThrowsError(try RetryingStorage(flaky, sleep: { _ in }).put("a", data: Data())) {
      XCTAssertEqual($0 as? StorageError, denied)
    }
    XCTAssertEqual(flaky.calls, 1)
    let down = FlakyStorage(failures: 100, error: Self.unavailable)
    XCTAssertThrowsError(try RetryingStorage(down, attempts: 4, sleep: { _ in }).put("a", data: Data())) {
      XCTAssertEqual($0 as? StorageError, Self.unavailable)
    }
    XCTAssertEqual(down.calls, 4)
  }
}
