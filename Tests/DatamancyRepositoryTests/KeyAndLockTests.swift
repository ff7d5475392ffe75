import DatamancyPOSIX
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
      repository, exclusive: false, command: "backup", clock: { now }, host: "h", onLost: Self.ignore)
    let second = try RepositoryLock.acquire(
      repository, exclusive: false, command: "backup", clock: { now }, host: "h", onLost: Self.ignore)
    XCTAssertThrowsError(
      try RepositoryLock.acquire(
        repository, exclusive: true, command: "prune", clock: { now }, host: "h", onLost: Self.ignore)
    ) { error in
      guard case RepositoryError.locked(let holder) = error else { return XCTFail("\(error)") }
      XCTAssertTrue(holder.contains("backup"))
    }
    XCTAssertEqual(try repository.storage.list(prefix: "locks/").count, 2, "a failed attempt leaves no lock")
    first.release()
    second.release()
    let exclusive = try RepositoryLock.acquire(
      repository, exclusive: true, command: "prune", clock: { now }, host: "h", onLost: Self.ignore)
    XCTAssertThrowsError(
      try RepositoryLock.acquire(
        repository, exclusive: false, command: "backup", clock: { now }, host: "h", onLost: Self.ignore))
    exclusive.release()
    XCTAssertEqual(try repository.storage.list(prefix: "locks/"), [])
  }

  func testStaleLocksAreRecognized() throws {
    let repository = try Fixtures.repository()
    let now = Date()
    // Held by a process of this host that is gone: pid_max is below 2^22 on Linux.
    let dead = LockInfo(host: "h", pid: 4_194_303, time: now, exclusive: true, command: "prune")
    XCTAssertTrue(dead.isStale(written: now, reference: now, localHost: "h"))
    XCTAssertFalse(dead.isStale(written: now, reference: now, localHost: "elsewhere"))
    let old = LockInfo(host: "elsewhere", pid: 1, time: now, exclusive: true, command: "prune")
    XCTAssertTrue(old.isStale(written: now.addingTimeInterval(-3600), reference: now, localHost: "h"))
    XCTAssertFalse(old.isStale(written: now.addingTimeInterval(-60), reference: now, localHost: "h"))
    // Without storage times, the lock's own time stands in.
    XCTAssertTrue(old.isStale(written: nil, reference: now.addingTimeInterval(3600), localHost: "h"))
    // A stale exclusive lock in the repository does not block a backup: written an
    // hour ago by the storage's clock.
    let storage = try XCTUnwrap(repository.storage as? MemoryStorage)
    storage.now = { now.addingTimeInterval(-3600) }
    _ = try RepositoryLock.acquire(
      repository, exclusive: true, command: "prune", clock: { now }, host: "other", onLost: Self.ignore)
    storage.now = { Date() }
    let lock = try RepositoryLock.acquire(
      repository, exclusive: false, command: "backup", clock: { now }, host: "h", onLost: Self.ignore)
    XCTAssertEqual(try repository.storage.list(prefix: "locks/").count, 1)
    lock.release()
  }

  static let ignore: @Sendable (String) -> Void = { _ in }

  /// Staleness is judged by the storage's clock, so a host whose clock is two
  /// hours off neither looks stale to others nor takes others' live locks.
  func testStalenessDoesNotDependOnTwoHostsClocksAgreeing() throws {
    let repository = try Fixtures.repository()
    let storage = try XCTUnwrap(repository.storage as? MemoryStorage)
    let real = Date()
    storage.now = { real }
    // Host "slow" believes it is two hours earlier than it is; its lock was written now.
    let slow = try RepositoryLock.acquire(
      repository, exclusive: true, command: "prune", clock: { real.addingTimeInterval(-7200) }, host: "slow",
      onLost: Self.ignore)
    // Host "fast" believes it is two hours later: the lock is still live to it.
    XCTAssertThrowsError(
      try RepositoryLock.acquire(
        repository, exclusive: false, command: "backup", clock: { real.addingTimeInterval(7200) },
        host: "fast",
        onLost: Self.ignore)
    ) { error in
      guard case RepositoryError.locked = error else { return XCTFail("\(error)") }
      XCTAssertTrue("\(error)".contains("datamancy-backup unlock"), "the message names the command to run")
    }
    XCTAssertEqual(
      try RepositoryLock.removeStale(repository, now: real.addingTimeInterval(7200), host: "fast").count, 0)
    // 29 minutes later by the storage's clock: still live, whatever "fast" thinks.
    storage.now = { real.addingTimeInterval(29 * 60) }
    XCTAssertThrowsError(
      try RepositoryLock.acquire(
        repository, exclusive: false, command: "backup", clock: { real.addingTimeInterval(-7200) },
        host: "fast",
        onLost: Self.ignore))
    // 31 minutes without a refresh, by the storage's clock: stale, whatever both hosts think.
    storage.now = { real.addingTimeInterval(31 * 60) }
    let removed = try RepositoryLock.removeStale(
      repository, now: real.addingTimeInterval(-7200), host: "fast")
    XCTAssertEqual(removed.map(\.host), ["slow"])
    XCTAssertEqual(try storage.list(prefix: "locks/"), [], "the probe lock is gone too")
    slow.release()
  }

  /// A holder that can no longer refresh its lock is stopped well before the lock
  /// could look stale to anyone else. The holder's own measure (the seconds its
  /// message gives) is checked, not the test's clock: a loaded machine delays
  /// both alike.
  func testALockThatCannotBeRefreshedStopsItsHolder() throws {
    let storage = SwitchableStorage()
    let repository = try Fixtures.repository(storage)
    let timing = LockTiming(refreshEvery: 0.2, retryEvery: 0.05, lostAfter: 2, staleAfter: 10)
    let lost = expectation(description: "lost")
    let reason = Locked("")
    let lock = try RepositoryLock.acquire(
      repository, exclusive: false, command: "backup", clock: { Date() }, host: "h", timing: timing,
      onLost: { text in
        reason.value = text
        lost.fulfill()
      })
    // Refreshes work: wait for one, the written lock file after the first.
    let deadline = Date().addingTimeInterval(60)
    while storage.lockWrites.value < 2 && Date() < deadline { usleep(10_000) }
    XCTAssertGreaterThanOrEqual(storage.lockWrites.value, 2, "the lock was refreshed")
    XCTAssertEqual(try storage.listObjects(prefix: "locks/").count, 1)
    storage.writable.value = false
    wait(for: [lost], timeout: 120)
    XCTAssertTrue(reason.value.contains("could not refresh"), reason.value)
    let seconds = reason.value.split(separator: " ").compactMap { Int($0) }.first
    XCTAssertNotNil(seconds, reason.value)
    XCTAssertGreaterThanOrEqual(seconds ?? -1, Int(timing.lostAfter), "never before lostAfter")
    XCTAssertLessThan(seconds ?? .max, Int(timing.staleAfter), "stopped before the lock could be stale")
    lock.release()
  }

  func testUnlockAllRemovesLiveLocks() throws {
    let repository = try Fixtures.repository()
    let live = try RepositoryLock.acquire(
      repository, exclusive: true, command: "prune", clock: { Date() }, host: "elsewhere", onLost: Self.ignore
    )
    try repository.storage.put("locks/garbage", data: Data("not a lock".utf8))
    XCTAssertEqual(try RepositoryLock.removeStale(repository, now: Date(), host: "h").count, 0)
    XCTAssertEqual(try RepositoryLock.removeAll(repository), 2)
    XCTAssertEqual(try repository.storage.list(prefix: "locks/"), [])
    live.release()
  }
}

/// A memory storage whose writes can be switched off, as a repository whose
/// storage turns read-only or unreachable.
final class SwitchableStorage: Storage, @unchecked Sendable {
  let inner = MemoryStorage()
  let writable = Locked(true)
  /// Lock files written.
  let lockWrites = Locked(0)
  var location: String { "switchable" }

  func put(_ name: String, data: Data) throws {
    guard writable.value else {
      throw StorageError.denied(operation: "write", name: name, location: location, reason: "read-only")
    }
    try inner.put(name, data: data)
    if name.hasPrefix("locks/") { lockWrites.withLock { $0 += 1 } }
  }
  func get(_ name: String, offset: Int, length: Int?) throws -> Data {
    try inner.get(name, offset: offset, length: length)
  }
  func listObjects(prefix: String) throws -> [ObjectInfo] { try inner.listObjects(prefix: prefix) }
  func stat(_ name: String) throws -> ObjectInfo { try inner.stat(name) }
  func delete(_ name: String) throws {
    guard writable.value else {
      throw StorageError.denied(operation: "delete", name: name, location: location, reason: "read-only")
    }
    try inner.delete(name)
  }
}
