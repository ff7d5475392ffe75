import DatamancyStorage
import Foundation
import XCTest

/// The contract every `Storage` must keep (see `Storage`'s documentation). Each
/// backend's test case calls `assertConformance` with a factory for empty storage.
enum StorageConformance {
  static func assertConformance(
    _ make: () throws -> Storage, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    try roundTrip(try make())
    try overwrite(try make())
    try ranges(try make())
    try missing(try make())
    try listing(try make())
    try deletes(try make())
    try largeObject(try make())
    try writers(try make())
  }

  static func roundTrip(_ storage: Storage) throws {
    try storage.put("config", data: Data("hello".utf8))
    try storage.put("empty", data: Data())
    XCTAssertEqual(try storage.get("config"), Data("hello".utf8))
    XCTAssertEqual(try storage.get("empty"), Data())
    XCTAssertEqual(try storage.stat("config"), ObjectInfo(name: "config", size: 5))
    XCTAssertEqual(try storage.stat("empty").size, 0)
  }

  static func overwrite(_ storage: Storage) throws {
    try storage.put("keys/a", data: Data("one".utf8))
    try storage.put("keys/a", data: Data("second".utf8))
    XCTAssertEqual(try storage.get("keys/a"), Data("second".utf8))
  }

  static func ranges(_ storage: Storage) throws {
    let bytes = Data((0..<1000).map { UInt8($0 % 251) })
    try storage.put("data/ab/pack", data: bytes)
    XCTAssertEqual(try storage.get("data/ab/pack", offset: 10, length: 20), bytes[10..<30])
    XCTAssertEqual(try storage.get("data/ab/pack", offset: 990, length: nil), bytes[990...])
    XCTAssertEqual(try storage.get("data/ab/pack", offset: 1000, length: 0), Data())
    XCTAssertThrowsError(try storage.get("data/ab/pack", offset: 990, length: 20)) { error in
      guard case StorageError.shortRead = error else { return XCTFail("expected shortRead, got \(error)") }
    }
  }

  static func missing(_ storage: Storage) throws {
    for call in [{ _ = try storage.get("nope") }, { _ = try storage.stat("index/nope") }] {
      XCTAssertThrowsError(try call()) { error in
        XCTAssertTrue((error as? StorageError)?.isNotFound == true, "expected notFound, got \(error)")
      }
    }
  }

  static func listing(_ storage: Storage) throws {
    XCTAssertEqual(try storage.list(prefix: "data/"), [])
    for name in ["data/00/a", "data/01/b", "index/c", "snapshots/d", "config"] {
      try storage.put(name, data: Data(name.utf8))
    }
    XCTAssertEqual(Set(try storage.list(prefix: "data/")), ["data/00/a", "data/01/b"])
    XCTAssertEqual(Set(try storage.list(prefix: "data/01/")), ["data/01/b"])
    XCTAssertEqual(Set(try storage.list(prefix: "index/")), ["index/c"])
    XCTAssertEqual(Set(try storage.list(prefix: "")).count, 5)
    XCTAssertEqual(try storage.list(prefix: "locks/"), [])
    // One listing gives sizes and the storage's own modification times.
    let objects = try storage.listObjects(prefix: "data/").sorted { $0.name < $1.name }
    XCTAssertEqual(objects.map(\.size), ["data/00/a".utf8.count, "data/01/b".utf8.count])
    for object in objects {
      let modified = try XCTUnwrap(object.modified, "\(object.name) has no modification time")
      XCTAssertLessThan(abs(modified.timeIntervalSinceNow), 600)
      let stat = try storage.stat(object.name)
      XCTAssertEqual(stat, object)
      XCTAssertEqual(try XCTUnwrap(stat.modified).timeIntervalSince(modified), 0, accuracy: 1)
    }
  }

  static func deletes(_ storage: Storage) throws {
    try storage.put("locks/x", data: Data("x".utf8))
    try storage.delete("locks/x")
    try storage.delete("locks/x")
    try storage.delete("never/was")
    XCTAssertEqual(try storage.list(prefix: "locks/"), [])
  }

  static func largeObject(_ storage: Storage) throws {
    var generator = SystemRandomNumberGenerator()
    let bytes = Data(
      (0..<(16 << 20) / 8).flatMap { _ in withUnsafeBytes(of: generator.next()) { Array($0) } })
    try storage.put("data/ff/big", data: bytes)
    XCTAssertEqual(try storage.get("data/ff/big"), bytes)
    XCTAssertEqual(
      try storage.get("data/ff/big", offset: 8 << 20, length: 4096), bytes[(8 << 20)..<(8 << 20) + 4096])
  }

  /// An object written in pieces is invisible until its commit, then whole; an
  /// abandoned writer leaves nothing.
  static func writers(_ storage: Storage) throws {
    let pieces: [Data] = (0..<5).map { (i: Int) -> Data in
      Data((0..<(300_000 + i)).map { (n: Int) -> UInt8 in UInt8(truncatingIfNeeded: n * 7 + i) })
    }
    let writer = try storage.makeWriter(under: "data")
    for piece in pieces { try writer.append(piece) }
    XCTAssertEqual(writer.count, pieces.reduce(0) { $0 + $1.count })
    XCTAssertEqual(try storage.list(prefix: ""), [], "nothing is visible before the commit")
    try writer.commit(as: "data/ab/whole")
    XCTAssertEqual(try storage.get("data/ab/whole"), pieces.reduce(Data(), +))
    XCTAssertEqual(try storage.list(prefix: ""), ["data/ab/whole"])

    var abandoned: ObjectWriter? = try storage.makeWriter(under: "data")
    try abandoned!.append(pieces[0])
    abandoned = nil
    XCTAssertEqual(try storage.list(prefix: ""), ["data/ab/whole"])
  }
}
