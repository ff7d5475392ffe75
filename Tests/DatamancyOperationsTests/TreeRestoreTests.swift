import DatamancyOperations
import DatamancyRepository
import DatamancySources
import DatamancyTestSupport
import Foundation
import XCTest

/// A folder's small files come back byte for byte from a few coalesced reads of
/// the packs they lie in, not one read per file.
final class TreeRestoreTests: XCTestCase {
  func testAFolderOfSmallFilesIsRestoredFromFewReads() throws {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tree-reads-\(UUID())").path
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let source = scratch + "/source"
    try FileManager.default.createDirectory(atPath: source + "/sub", withIntermediateDirectories: true)
    var files: [String: Data] = [:]
    for i in 0..<300 {
      let name = (i % 10 == 0 ? "sub/" : "") + "file\(i)"
      files[name] = Data(OperationFixtures.bytes(100 + i * 7, seed: UInt64(i + 1)))
      try files[name]!.write(to: URL(fileURLWithPath: source + "/" + name))
    }
    let storage = CountingStorage()
    let repository = try OperationFixtures.repository(storage)
    let session = BackupSession(repository: repository)
    let outcome = try TreeScanner(session: session, root: source, rules: FileRules(exclude: [])).scan(
      previous: nil)
    try session.finish()
    var item = BackupItem(
      name: "files/source", source: "files", format: .tree, status: .ok, rawBytes: outcome.rawBytes,
      storedBytes: outcome.storedBytes, durationSeconds: 0, chunks: [])
    item.tree = outcome.tree.map(\.hex)
    let set = try repository.save(BackupSet(time: Date(), host: "test", durationSeconds: 0, items: [item]))
    let packs = try storage.list(prefix: "data/").count
    XCTAssertGreaterThan(packs, 3, "the files should fill several packs")

    let target = scratch + "/restored"
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
    let before = storage.packReads
    let report = try TreeRestorer(repository: repository).restore(item, of: set, into: target)
    XCTAssertEqual(report.files, 300)
    for (name, data) in files {
      XCTAssertEqual(FileManager.default.contents(atPath: target + "/" + name), data, name)
    }
    // One read per pack a folder's files lie in, and one per tree object.
    let reads = storage.packReads - before
    XCTAssertLessThanOrEqual(reads, packs + 4, "\(reads) reads for 300 files in \(packs) packs")
  }
}
