import DatamancyRepository
import Foundation

extension OperationContext {
  /// Takes a lock for the duration of `body`. A `readOnly` operation (one that
  /// writes nothing into the repository) runs without a lock when the storage
  /// refuses the lock file (a read-only mount, WORM storage, read-only
  /// credentials), with one warning, or when `noLock` asks for it. A lock that can
  /// no longer be refreshed stops the process (`RunGuard.abort`).
  public func withLock<T>(
    _ repository: Repository, exclusive: Bool, command: String, readOnly: Bool = false,
    _ body: () throws -> T
  ) throws -> T {
    if noLock {
      guard readOnly else {
        throw OperationError("--no-lock: '\(command)' writes to the repository and must lock it")
      }
      return try body()
    }
    // The cleanup is registered before the lock file is written: an interruption
    // between the write and `acquire`'s return (while it reads the other locks)
    // must not leave our lock behind.
    let (guardian, host) = (self.guardian, self.host)
    return try guardian.whileRunning(cleanup: { RepositoryLock.removeOwn(repository, host: host) }) {
      let lock: RepositoryLock
      do {
        lock = try RepositoryLock.acquire(
          repository, exclusive: exclusive, command: command, clock: now, host: host,
          onLost: { guardian.abort("datamancy-backup: \(command) stopped: \($0)") })
      } catch RepositoryError.storage(let error) where readOnly && error.isDenied {
        logger.warning("the repository cannot be written (\(error: error)); \(command) runs without a lock")
        return try body()
      }
      defer { lock.release() }
      return try body()
    }
  }

  /// Saves a verify or drill report about a set. A repository that cannot be
  /// written (read-only) gets a warning instead: the results are printed anyway.
  public func saveReport(_ report: some Encodable, about set: String, in repository: Repository) throws {
    do {
      try repository.saveReport(try BackupSet.encoder.encode(report), about: set)
    } catch RepositoryError.storage(let error) where error.isDenied {
      logger.warning("the report could not be saved: the repository cannot be written (\(error: error))")
    }
  }
}
