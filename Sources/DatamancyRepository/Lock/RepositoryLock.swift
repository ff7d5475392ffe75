import DatamancyPOSIX
import DatamancyStorage
import Foundation

/// A held lock on a repository.
///
/// Protocol: write our lock file, then list the others. A stale one is removed; a
/// live one that conflicts (either side exclusive) makes us remove ours and fail
/// with `RepositoryError.locked`. Backups take shared locks and may run together;
/// anything that deletes data takes an exclusive lock. While held, the lock is
/// rewritten every `refreshEvery`; a holder that cannot rewrite it for `lostAfter`
/// is told through `onLost` and must stop (see `LockTiming`).
public final class RepositoryLock: @unchecked Sendable {
  private let repository: Repository
  private let timing: LockTiming
  private let onLost: @Sendable (String) -> Void
  /// The holder's clock: the time written into each refresh.
  private let clock: @Sendable () -> Date
  private var info: LockInfo
  private var name: String
  private let mutex = NSLock()
  private var timer: (any DispatchSourceTimer)?
  /// Monotonic seconds of the last successful write.
  private var lastWritten = ProcessInfo.processInfo.systemUptime
  private var released = false

  private init(
    repository: Repository, info: LockInfo, name: String, timing: LockTiming,
    clock: @escaping @Sendable () -> Date, onLost: @escaping @Sendable (String) -> Void
  ) {
    self.repository = repository
    self.clock = clock
    self.info = info
    self.name = name
    self.timing = timing
    self.onLost = onLost
  }

  /// Takes a lock; `onLost` is called (once, from another thread) if the lock can
  /// no longer be refreshed, and the holder must then stop its work.
  public static func acquire(
    _ repository: Repository, exclusive: Bool, command: String, clock: @escaping @Sendable () -> Date,
    host: String, timing: LockTiming = .standard, onLost: @escaping @Sendable (String) -> Void
  ) throws -> RepositoryLock {
    let now = clock()
    let info = LockInfo(
      host: host, pid: ProcessInfo.processInfo.processIdentifier, time: now, exclusive: exclusive,
      command: command)
    let name = try write(info, to: repository)
    do {
      for other in try others(than: name, in: repository, now: now) {
        if other.info.isStale(
          written: other.written, reference: other.reference, localHost: host, staleAfter: timing.staleAfter)
        {
          try? repository.storage.delete(other.name)
        } else if other.info.conflicts(with: info) {
          throw RepositoryError.locked(holder: other.info.description)
        }
      }
    } catch {
      try? repository.storage.delete(name)
      throw error
    }
    let lock = RepositoryLock(
      repository: repository, info: info, name: name, timing: timing, clock: clock, onLost: onLost)
    lock.startRefreshing()
    return lock
  }

  /// The other lock files, each with when the storage says it was written and the
  /// storage's time for `ours` (the reference its age is measured against).
  /// Unreadable files are skipped: not a lock anyone can honour.
  static func others(
    than ours: String, in repository: Repository, now: Date
  ) throws -> [(name: String, info: LockInfo, written: Date?, reference: Date)] {
    let objects = try storageCall { try repository.storage.listObjects(prefix: "locks/") }
    let reference = objects.first { $0.name == ours }?.modified ?? now
    return objects.compactMap { object in
      guard object.name != ours,
        let plain = try? repository.getSealed(object.name, context: Sealing.Context.lock, named: false),
        let held = try? BackupSet.decoder.decode(LockInfo.self, from: plain)
      else { return nil }
      return (object.name, held, object.modified, object.modified == nil ? now : reference)
    }
  }

  /// True once `removeOwn` ran: the process is stopping and writes no more locks.
  /// Its mutex also serialises this process's lock writes with `removeOwn`, so
  /// that an interruption never lists the locks while one of ours is still a
  /// temporary file about to be renamed into place.
  private static let stopping = Locked(false)

  static func write(_ info: LockInfo, to repository: Repository) throws -> String {
    let json = try BackupSet.encoder.encode(info)
    return try stopping.withLock { stopping in
      guard !stopping else { throw RepositoryError.locked(holder: "nobody: this process is stopping") }
      return "locks/" + (try repository.putSealed(json, folder: "locks", context: Sealing.Context.lock))
    }
  }

  private func startRefreshing() {
    let timer = DispatchSource.makeTimerSource(queue: .global())
    let tick = min(timing.retryEvery, timing.refreshEvery)
    timer.schedule(deadline: .now() + tick, repeating: tick)
    timer.setEventHandler { [weak self] in self?.tick() }
    timer.resume()
    self.timer = timer
  }

  private func tick() {
    let lost: String? = mutex.withLock {
      let now = ProcessInfo.processInfo.systemUptime
      guard !released, now - lastWritten >= timing.refreshEvery else { return nil }
      var fresh = info
      fresh.time = clock()
      do {
        let newName = try Self.write(fresh, to: repository)
        try? repository.storage.delete(name)
        (info, name, lastWritten) = (fresh, newName, now)
        return nil
      } catch {
        guard now - lastWritten >= timing.lostAfter else { return nil }
        released = true
        timer?.cancel()
        return "could not refresh the repository lock for \(Int(now - lastWritten)) s (\(error)); "
          + "stopped before another process could take the lock as stale"
      }
    }
    if let lost { onLost(lost) }
  }

  /// Removes the lock file.
  public func release() {
    timer?.cancel()
    mutex.withLock {
      released = true
      try? repository.storage.delete(name)
    }
  }
}

extension RepositoryLock {
  /// Removes the stale locks (see `LockTiming`) and returns them. To measure
  /// their age by the storage's clock, a shared lock is written and removed.
  public static func removeStale(
    _ repository: Repository, now: Date, host: String, timing: LockTiming = .standard
  ) throws -> [LockInfo] {
    let probe = try write(
      LockInfo(
        host: host, pid: ProcessInfo.processInfo.processIdentifier, time: now, exclusive: false,
        command: "unlock"), to: repository)
    defer { try? repository.storage.delete(probe) }
    var removed: [LockInfo] = []
    for other in try others(than: probe, in: repository, now: now)
    where other.info.isStale(
      written: other.written, reference: other.reference, localHost: host, staleAfter: timing.staleAfter)
    {
      try storageCall { try repository.storage.delete(other.name) }
      removed.append(other.info)
    }
    return removed
  }

  /// Removes every lock file this process wrote on `host`, best effort: what an
  /// interrupted process does on its way out, whether or not `acquire` had
  /// returned (its file exists from the moment it is written; one being written
  /// is waited for).
  /// From then on, this process writes no lock.
  public static func removeOwn(_ repository: Repository, host: String) {
    let pid = ProcessInfo.processInfo.processIdentifier
    stopping.withLock { stopping in
      stopping = true
      guard let objects = try? repository.storage.listObjects(prefix: "locks/") else { return }
      for object in objects {
        guard let plain = try? repository.getSealed(object.name, context: Sealing.Context.lock, named: false),
          let held = try? BackupSet.decoder.decode(LockInfo.self, from: plain),
          held.pid == pid, held.host == host
        else { continue }
        try? repository.storage.delete(object.name)
      }
    }
  }

  /// Removes every lock file, live or not, readable or not; returns how many.
  public static func removeAll(_ repository: Repository) throws -> Int {
    let names = try storageCall { try repository.storage.list(prefix: "locks/") }
    for name in names { try storageCall { try repository.storage.delete(name) } }
    return names.count
  }
}
