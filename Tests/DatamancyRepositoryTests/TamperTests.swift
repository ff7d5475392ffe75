import DatamancyRepository
import DatamancyStorage
import XCTest

/// A flipped byte anywhere is found, and the finding names the file.
final class TamperTests: XCTestCase {
  var folder = ""

  override func setUp() { folder = NSTemporaryDirectory() + "tamper-" + UUID().uuidString }
  override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

  /// A repository with two keys and one set, and the data it holds.
  func makeRepository() throws -> (LocalStorage, BackupSet, [UInt8]) {
    let storage = LocalStorage(root: folder)
    let repository = try Fixtures.repository(storage)
    try repository.addKey(password: "second", cost: 1024, now: Date(), host: "test")
    let data = Fixtures.bytes(300_000)
    return (storage, try Fixtures.backup(data, into: repository), data)
  }

  func flip(_ name: String, in storage: LocalStorage, at fraction: Double) throws {
    let path = storage.root + "/" + name
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    let position = min(bytes.count - 1, Int(Double(bytes.count) * fraction))
    bytes[position] ^= 0x20
    try bytes.write(to: URL(fileURLWithPath: path))
  }

  func check(_ storage: Storage, password: String = Fixtures.password) throws -> CheckReport {
    try Checker(repository: try Repository.open(storage: storage, password: password)).check(readData: true)
  }

  func testCleanRepositoryPasses() throws {
    let (storage, _, _) = try makeRepository()
    let report = try check(storage)
    XCTAssertTrue(report.passed, "\(report.errors)")
    XCTAssertEqual(report.keyFiles, 2)
    XCTAssertGreaterThan(report.chunksRead, 10)
  }

  func testFlippedByteInEveryPackIndexSetAndKeyIsNamed() throws {
    for prefix in ["data/", "index/", "snapshots/", "keys/"] {
      for fraction in [0.0, 0.5, 0.999] {
        try? FileManager.default.removeItem(atPath: folder)
        let (storage, _, _) = try makeRepository()
        // Damage the key that the check does not use.
        let candidates = try storage.list(prefix: prefix).sorted()
        var victim = candidates[0]
        if prefix == "keys/" {
          let used = try Repository.open(storage: storage, password: Fixtures.password).keyName
          victim = candidates.first { $0 != used }!
        }
        try flip(victim, in: storage, at: fraction)
        let report = try check(storage)
        XCTAssertFalse(report.passed, "\(victim) at \(fraction)")
        XCTAssertTrue(
          report.errors.contains { $0.file == victim }, "\(victim) not named: \(report.errors)")
      }
    }
  }

  func testDamagedOnlyKeyOrConfigIsNamedOnOpen() throws {
    for victim in ["keys/", "config"] {
      try? FileManager.default.removeItem(atPath: folder)
      let storage = LocalStorage(root: folder)
      _ = try Fixtures.repository(storage)
      let name = victim == "config" ? "config" : try storage.list(prefix: "keys/")[0]
      try flip(name, in: storage, at: 0.5)
      XCTAssertThrowsError(try Repository.open(storage: storage, password: Fixtures.password)) { error in
        guard case RepositoryError.damaged(let file, _) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(file, name)
      }
    }
  }

  func testRestoreRefusesCorruptedChunk() throws {
    let (storage, set, _) = try makeRepository()
    let pack = try storage.list(prefix: "data/").sorted()[0]
    try flip(pack, in: storage, at: 0.3)
    let repository = try Repository.open(storage: storage, password: Fixtures.password)
    try repository.loadIndex()
    var delivered = 0
    XCTAssertThrowsError(
      try ChunkStreamer(repository: repository).stream(
        try ChunkStreamer.ids(of: set.items[0], set: set)
      ) { delivered += $0.count }
    ) { error in
      guard case RepositoryError.damaged(let file, _) = error else { return XCTFail("\(error)") }
      XCTAssertEqual(file, pack)
    }
    XCTAssertLessThan(delivered, set.items[0].rawBytes)
  }
}
