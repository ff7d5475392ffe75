import DatamancyStorage
import Foundation

/// A held lock on a repository.
///
/// Protocol: write our lock file, then list the others. A stale one is removed; a
/// live one that conflicts (either side exclusive) makes us remove ours and fail
/// with `RepositoryError.locked`. Backups take shared locks and may run together;
/// anything that deletes data takes an exclusive lock. While held, the lock is
/// rewritten every `LockInfo.refreshEvery` so it never looks stale.
public final class RepositoryLock: @unchecked Sendable {
  private let repository: Repository
  private var info: LockInfo
  private var name: String
  private let mutex = NSLock()
  private var timer: DispatchSourceTimer?

  private init(repository: Repository, info: LockInfo, name: String) {
    self.repository = repository
    self.info = info
    self.name = name
  }

  public static func acquire(
    _ repository: Repository, exclusive: Bool, command: String, now: Date, host: String
  ) throws -> RepositoryLock {
    let info = LockInfo(
      host: host, pid: ProcessInfo.processInfo.processIdentifier, time: now, exclusive: exclusive,
      command: command)
    let name = try write(info, to: repository)
    for other in try storageCall({ try repository.storage.list(prefix: "locks/") }) where other != name {
      guard let plain = try? repository.getSealed(other, context: Sealing.Context.lock, named: false),
        let held = try? BackupSet.decoder.decode(LockInfo.self, from: plain)
      else { continue }  // Vanished meanwhile, or unreadable: not a lock we can honour.
      if held.isStale(now: now, localHost: host) {
        try? repository.storage.delete(other)
      } else if held.conflicts(with: info) {
        try? repository.storage.delete(name)
        throw RepositoryError.locked(holder: held.description)
      }
    }
    let lock = RepositoryLock(repository: repository, info: info, name: name)
    lock.startRefreshing()
    return lock
  }

  private static func write(_ info: LockInfo, to repository: Repository) throws -> String {
    let json = try BackupSet.encoder.encode(info)
    return "locks/" + (try repository.putSealed(json, folder: "locks", context: Sealing.Context.lock))
  }

  private func startRefreshing() {
    let timer = DispatchSource.makeTimerSource(queue: .global())
    timer.schedule(deadline: .now() + LockInfo.refreshEvery, repeating: LockInfo.refreshEvery)
    timer.setEventHandler { [weak self] in self?.refresh() }
    timer.resume()
    self.timer = timer
  }

  private func refresh() {
    mutex.withLock {
      var fresh = info
      fresh.time = Date()
      guard let newName = try? Self.write(fresh, to: repository) else { return }
      try? repository.storage.delete(name)
      info = fresh
      name = newName
    }
  }

  /// Removes the lock file.
  public func release() {
    timer?.cancel()
    mutex.withLock { try? repository.storage.delete(name) }
  }
}
