import DatamancyRepository
import DatamancyStorage
import XCTest

final class KeyAndLockTests: XCTestCase {
  func testWrongPasswordIsItsOwnErrorAndNeverEchoed() throws {
    let storage = MemoryStorage()
    _ = try Fixtures.repository(storage)
    XCTAssertThrowsError(try Repository.open(storage: storage, password: "hunter2-wrong")) { error in
      guard case RepositoryError.wrongPassword = error else { return XCTFail("\(error)") }
      XCTAssertFalse(String(describing: error).contains("hunter2-wrong"))
    }
  }

  func testEveryKeyOpensTheSameRepository() throws {
    let storage = MemoryStorage()
    let repository = try Fixtures.repository(storage)
    let data = Fixtures.bytes(50_000)
    let set = try Fixtures.backup(data, into: repository)
    try repository.addKey(password: "another", cost: 1024, now: Date(), host: "test")
    let second = try Repository.open(storage: storage, password: "another")
    try second.loadIndex()
    XCTAssertEqual(try Fixtures.restore(try second.findSet(set.id), from: second), data)
  }

  func testMissingRepository() {
    XCTAssertThrowsError(try Repository.open(storage: MemoryStorage(), password: "x")) { error in
      guard case RepositoryError.noRepository = error else { return XCTFail("\(error)") }
    }
  }

  func testInitRefusesNonEmptyStorage() throws {
    let storage = MemoryStorage()
    try storage.put("something", data: Data())
    XCTAssertThrowsError(try Fixtures.repository(storage)) { error in
      guard case RepositoryError.notEmpty = error else { return XCTFail("\(error)") }
    }
  }

  func testSharedLocksCoexistAndExclusiveConflicts() throws {
    let repository = try Fixtures.repository()
    let now = Date()
    let first = try RepositoryLock.acquire(
      repository, exclusive: false, command: "backup", now: now, host: "h")
    let second = try RepositoryLock.acquire(
      repository, exclusive: false, command: "backup", now: now, host: "h")
    XCTAssertThrowsError(
      try RepositoryLock.acquire(repository, exclusive: true, command: "prune", now: now, host: "h")
    ) { error in
      guard case RepositoryError.locked(let holder) = error else { return XCTFail("\(error)") }
      XCTAssertTrue(holder.contains("backup"))
    }
    XCTAssertEqual(try repository.storage.list(prefix: "locks/").count, 2, "a failed attempt leaves no lock")
    first.release()
    second.release()
    let exclusive = try RepositoryLock.acquire(
      repository, exclusive: true, command: "prune", now: now, host: "h")
    XCTAssertThrowsError(
      try RepositoryLock.acquire(repository, exclusive: false, command: "backup", now: now, host: "h"))
    exclusive.release()
    XCTAssertEqual(try repository.storage.list(prefix: "locks/"), [])
  }

  func testStaleLocksAreRecognized() throws {
    let repository = try Fixtures.repository()
    let now = Date()
    // Held by a process of this host that is gone: pid_max is below 2^22 on Linux.
    let dead = LockInfo(host: "h", pid: 4_194_303, time: now, exclusive: true, command: "prune")
    XCTAssertTrue(dead.isStale(now: now, localHost: "h"))
    XCTAssertFalse(dead.isStale(now: now, localHost: "elsewhere"))
    let old = LockInfo(
      host: "elsewhere", pid: 1, time: now.addingTimeInterval(-3600), exclusive: true, command: "prune")
    XCTAssertTrue(old.isStale(now: now, localHost: "h"))
    // A stale exclusive lock in the repository does not block a backup.
    _ = try RepositoryLock.acquire(
      repository, exclusive: true, command: "prune", now: now.addingTimeInterval(-3600), host: "other")
    let lock = try RepositoryLock.acquire(
      repository, exclusive: false, command: "backup", now: now, host: "h")
    XCTAssertEqual(try repository.storage.list(prefix: "locks/").count, 1)
    lock.release()
  }
}
