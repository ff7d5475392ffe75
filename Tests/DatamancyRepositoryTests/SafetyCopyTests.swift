import DatamancyRepository
import Foundation
import XCTest

/// `latest`, an item's newest copy, and the safety copies a forced restore saves.
final class SafetyCopyTests: XCTestCase {
  func save(_ repository: Repository, _ time: Date, _ items: [String: Bool], tags: [String] = []) throws
    -> BackupSet
  {
    var set = RetentionTests.set(time, items, tags: tags)
    set.id = ""
    return try repository.save(set)
  }

  func testLatestIsTheNewestBackupRunAndWithItemsTheNewestHoldingThem() throws {
    let repository = try Fixtures.repository()
    let day = RetentionTests.date("2026-11-01")
    let both = try save(repository, day, ["pg/shop": true, "files/www": true])
    let onlyFiles = try save(repository, day + 3600, ["files/www": true])
    let failedShop = try save(repository, day + 7200, ["pg/shop": false, "files/www": true])
    let safety = try save(repository, day + 9000, ["pg/shop": true], tags: [BackupSet.safetyCopyTag])

    XCTAssertEqual(try repository.findSet("latest").id, failedShop.id, "a safety copy is never latest")
    XCTAssertEqual(try repository.findSet("latest", holding: ["files/www"]).id, failedShop.id)
    XCTAssertEqual(
      try repository.findSet("latest", holding: ["pg/shop"]).id, both.id,
      "the newest good copy, past a set without it and one where it failed")
    XCTAssertEqual(try repository.findSet("latest", holding: ["pg/shop", "files/www"]).id, both.id)
    XCTAssertThrowsError(try repository.findSet("latest", holding: ["nope"])) { error in
      XCTAssertTrue("\(error)".contains("nope"), "\(error)")
    }
    XCTAssertEqual(try repository.findSet(safety.shortID).id, safety.id, "named by its id it is found")
    XCTAssertEqual(try repository.backups().map(\.id), [both.id, onlyFiles.id, failedShop.id])
  }

  func testRetentionKeepsSafetyCopiesAndNeverCountsThemAsAnItemsNewestCopy() {
    let day = RetentionTests.date("2026-11-01")
    let old = RetentionTests.set(day, ["pg/shop": true])
    let newer = RetentionTests.set(day + 86400, ["pg/shop": true])
    let safety = RetentionTests.set(day + 2 * 86400, ["pg/shop": true], tags: [BackupSet.safetyCopyTag])
    let decisions = Retention.decide([old, newer, safety]) { _ in RetentionPolicy(latest: 1) }
    XCTAssertEqual(decisions.map(\.keep), [false, true, true])
    XCTAssertEqual(decisions[1].reasons.first, "pg/shop: newest good copy")
    XCTAssertEqual(decisions[2].reasons, [BackupSet.safetyCopyTag])
  }
}
