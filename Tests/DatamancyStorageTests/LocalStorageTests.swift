import DatamancyStorage
import Foundation
import XCTest

final class LocalStorageTests: XCTestCase {
  var folders: [String] = []

  override func tearDown() {
    for folder in folders { try? FileManager.default.removeItem(atPath: folder) }
  }

  func makeStorage() -> LocalStorage {
    let folder = NSTemporaryDirectory() + "storage-test-" + UUID().uuidString
    folders.append(folder)
    return LocalStorage(root: folder)
  }

  func testConformance() throws {
    try StorageConformance.assertConformance { makeStorage() }
  }

  func testMemoryStorageConformance() throws {
    try StorageConformance.assertConformance { MemoryStorage() }
  }

  func testAWriterStagesInATemporaryFileAndRemovesItWhenAbandoned() throws {
    let storage = makeStorage()
    let temporaries = { try FileManager.default.contentsOfDirectory(atPath: storage.root + "/data") }
    var writer: ObjectWriter? = try storage.makeWriter(under: "data")
    try writer!.append(Data(repeating: 7, count: 1 << 20))
    XCTAssertEqual(try temporaries().count, 1)
    XCTAssertTrue(try temporaries()[0].hasPrefix(".tmp-"))
    XCTAssertEqual(
      try FileManager.default.attributesOfItem(atPath: storage.root + "/data/" + temporaries()[0])[.size]
        as? Int, 1 << 20, "the bytes are on disk, not in memory")
    writer = nil
    XCTAssertEqual(try temporaries(), [])

    let committed = try storage.makeWriter(under: "data")
    try committed.append(Data("pack".utf8))
    try committed.commit(as: "data/cd/pack")
    XCTAssertEqual(try temporaries(), ["cd"])
  }

  func testLeftoverTemporaryFilesAreNotListedAndAreCleanedUp() throws {
    let storage = makeStorage()
    try storage.put("data/00/a", data: Data("a".utf8))
    // What a writer killed between create and rename leaves behind.
    let leftover = storage.root + "/data/00/.tmp-dead"
    XCTAssertTrue(FileManager.default.createFile(atPath: leftover, contents: Data("half".utf8)))
    XCTAssertEqual(try storage.list(prefix: "data/"), ["data/00/a"])
    XCTAssertEqual(try storage.removeStaleTemporaries(olderThan: 3600), 0)
    XCTAssertTrue(FileManager.default.fileExists(atPath: leftover))
    // Not written to for two hours (by the folder's own clock).
    try FileManager.default.setAttributes(
      [.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: leftover)
    XCTAssertEqual(try storage.removeStaleTemporaries(olderThan: 3600), 1)
    XCTAssertFalse(FileManager.default.fileExists(atPath: leftover))
    XCTAssertEqual(try storage.list(prefix: ""), ["data/00/a"], "the probe is removed too")
  }

  func testFilesArePrivate() throws {
    let storage = makeStorage()
    try storage.put("keys/k", data: Data("k".utf8))
    let attributes = try FileManager.default.attributesOfItem(atPath: storage.root + "/keys/k")
    XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
  }
}
