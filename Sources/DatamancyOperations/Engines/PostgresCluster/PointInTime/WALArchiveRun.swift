import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// One WAL file into or out of a postgres_pitr source's archive: what
/// `wal-push` (PostgreSQL's `archive_command`) and `wal-fetch` (its
/// `restore_command`) run. Neither takes a lock: pushes run beside backups and
/// each other, and a fetch only reads.
public struct WALArchiveRun {
  public let context: OperationContext
  public let source: String

  /// The source must be a postgres_pitr source of the configuration.
  public init(context: OperationContext, source: String) throws {
    guard let config = context.config.sources.first(where: { $0.name == source }) else {
      throw OperationError("--source: the configuration has no source named '\(source)'")
    }
    guard config.settings(as: PostgresPITRSettings.self) != nil else {
      throw OperationError(
        "--source: '\(source)' is a \(config.type) source; WAL belongs to a postgres_pitr source")
    }
    self.context = context
    self.source = source
  }

  /// The file at `path` could not be read: nothing was stored (exit 1, and
  /// PostgreSQL retries).
  public struct Unreadable: Error, CustomStringConvertible {
    public var description: String
  }

  /// Stores the file at `path` once its header matches its name, its size and the
  /// cluster's system id (from `dataDirectory`'s pg_control); returns whether it
  /// was new. A failure to store is recorded for `status`, and a conflicting
  /// re-push (other bytes under an archived name) is notified too, since
  /// PostgreSQL retries it for ever and nothing else will change.
  public func push(path: String, dataDirectory: String) throws -> Repository.WALStored {
    let name = (path as NSString).lastPathComponent
    guard let file = WALFile(name: name) else { throw Self.notAName(name) }
    let bytes: Data
    do {
      bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw Unreadable(description: "wal-push: cannot read \(path): \(error.localizedDescription)")
    }
    do {
      try file.check(bytes, systemID: WALFile.systemID(dataDirectory: dataDirectory))
    } catch let refused as WALFile.Refused {
      throw OperationError("wal-push: \(refused.description); nothing was stored")
    }
    let repository = try context.openRepository(loadIndex: false)
    do {
      let put = try repository.putWAL(source: source, name: name, bytes: bytes)
      switch put {
      case .stored: context.logger.info("archived \(name) (\(bytes.count) bytes)")
      case .alreadyStored: context.logger.info("\(name) was already archived with the same bytes")
      }
      return put
    } catch {
      record(error, name: name, repository: repository)
      throw error
    }
  }

  /// An archived file that cannot be read (damaged, or the repository or its
  /// storage failed): recovery must stop rather than end early at the wrong point.
  public struct FetchFailed: Error, CustomStringConvertible {
    public var description: String
  }

  /// Writes the archived file `name` to `destination` (under a temporary name,
  /// renamed once every byte authenticated); false when it is not archived
  /// (PostgreSQL asks for files that do not exist, and then ends recovery).
  public func fetch(_ name: String, to destination: String) throws -> Bool {
    guard WALFile(name: name) != nil else { throw Self.notAName(name) }
    let bytes: Data?
    do {
      bytes = try context.openRepository(loadIndex: false).getWAL(source: source, name: name)
    } catch {
      throw FetchFailed(description: "\(name) cannot be read: \(error: error); recovery must stop here")
    }
    guard let bytes else { return false }
    do {
      try AtomicFile.write(bytes, to: destination)
    } catch {
      throw FetchFailed(description: "cannot write \(destination): \(error: error); recovery must stop here")
    }
    return true
  }

  private static func notAName(_ name: String) -> OperationError {
    OperationError("\(name) is not a WAL file name (a segment, .history, .backup or .partial file)")
  }

  private func record(_ error: any Error, name: String, repository: Repository) {
    let conflict = error is Repository.WALConflict
    let reason = "\(error: error)"
    let time = context.now()
    try? repository.recordWALFailure(
      source: source, .init(name: name, time: time, reason: reason, conflict: conflict))
    guard conflict else { return }
    context.notifier.finished(
      RunOutcome(
        event: "wal-push", succeeded: false, host: context.host, time: time, set: nil,
        summary: "wal-push FAILED for \(source): \(name) is already archived with different bytes",
        failures: [.init(item: "\(source)/wal", error: reason)]))
  }
}
