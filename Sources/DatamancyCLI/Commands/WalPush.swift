import ArgumentParser
import DatamancyConfig
import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

extension DatamancyBackup {
  struct WalPush: BackupSubcommand {
    static let configuration = CommandConfiguration(
      commandName: "wal-push",
      abstract: "Archive one PostgreSQL WAL file (for archive_command).",
      discussion: """
        archive_command = 'datamancy-backup wal-push --config FILE --source NAME %p'. Stores a WAL \
        segment, .history, .backup or .partial file, sealed and compressed, and exits 0 only once \
        it is durably stored. A segment's header must match its name, its size and the cluster's \
        system id (read from global/pg_control in the working directory, which is the data \
        folder when PostgreSQL runs the command). Pushing a file again with the same bytes \
        succeeds; with other bytes it fails and nothing is stored. Takes no lock: pushes run \
        beside backups and each other.

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The postgres_pitr source whose cluster the file comes from.") var source: String

    @Argument(help: "The file (%p: a path relative to the data folder).") var path: String

    func run(_ context: CommandContext) throws {
      try WalPush.checkSource(source, context)
      let name = (path as NSString).lastPathComponent
      guard let file = WALFile(name: name) else {
        throw CLIError.usage("\(name) is not a WAL file name (a segment, .history, .backup or .partial file)")
      }
      let bytes: Data
      do {
        bytes = try Data(contentsOf: URL(fileURLWithPath: path))
      } catch {
        Console.error("datamancy-backup: wal-push: cannot read \(path): \(error.localizedDescription)\n")
        throw ExitStatus.failure
      }
      do {
        try file.check(
          bytes, systemID: WALFile.systemID(dataDirectory: FileManager.default.currentDirectoryPath))
      } catch let refused as WALFile.Refused {
        throw CLIError.usage("wal-push: \(refused.description); nothing was stored")
      }
      let repository = try context.openRepository(loadIndex: false)
      do {
        switch try repository.putWAL(source: source, name: name, bytes: bytes) {
        case .stored: context.logger.info("archived \(name) (\(bytes.count) bytes)")
        case .alreadyStored: context.logger.info("\(name) was already archived with the same bytes")
        }
      } catch {
        record(error, name: name, repository: repository, context)
        throw error
      }
    }

    /// Keeps the failure where `status` sees it (best effort: the repository may
    /// be what failed); a conflicting re-push is also notified, since
    /// PostgreSQL retries it for ever and nothing else will change.
    func record(_ error: Error, name: String, repository: Repository, _ context: CommandContext) {
      let conflict = error is Repository.WALConflict
      let reason = DatamancyBackup.message(for: error)?.text ?? "\(error)"
      let time = context.operations.now()
      try? repository.recordWALFailure(
        source: source, .init(name: name, time: time, reason: reason, conflict: conflict))
      guard conflict else { return }
      context.operations.notifier.finished(
        RunOutcome(
          event: "wal-push", succeeded: false, host: context.operations.host, time: time, set: nil,
          summary: "wal-push FAILED for \(source): \(name) is already archived with different bytes",
          failures: [.init(item: "\(source)/wal", error: reason)]))
    }

    /// The source must be a PostgreSQL source of the configuration.
    static func checkSource(_ name: String, _ context: CommandContext) throws {
      guard let source = context.config.sources.first(where: { $0.name == name }) else {
        throw CLIError.usage("--source: the configuration has no source named '\(name)'")
      }
      guard source.engine == "postgres_pitr" else {
        throw CLIError.usage(
          "--source: '\(name)' is a \(source.engine) source; WAL belongs to a postgres_pitr source")
      }
    }
  }

  struct WalFetch: BackupSubcommand {
    static let configuration = CommandConfiguration(
      commandName: "wal-fetch",
      abstract: "Write one archived WAL file to a path (for restore_command).",
      discussion: """
        restore_command = 'datamancy-backup wal-fetch --config FILE --source NAME %f %p'. Exit \
        status 1 when the file is not archived (PostgreSQL asks for files that do not exist, \
        and then ends recovery), 126 when it is archived but cannot be read — damaged, or the \
        repository or storage failed — so that recovery stops instead of ending early at the \
        wrong point. The file is written under a temporary name and renamed once every byte \
        authenticated.

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The postgres_pitr source whose archive to read.") var source: String

    @Argument(help: "The file's name (%f).") var name: String

    @Argument(help: "Where to write it (%p).") var destination: String

    func run(_ context: CommandContext) throws {
      try WalPush.checkSource(source, context)
      guard WALFile(name: name) != nil else {
        throw CLIError.usage("\(name) is not a WAL file name (a segment, .history, .backup or .partial file)")
      }
      let bytes: Data?
      do {
        bytes = try context.openRepository(loadIndex: false).getWAL(source: source, name: name)
      } catch {
        let text = DatamancyBackup.message(for: error)?.text ?? "\(error)"
        Console.error(
          "datamancy-backup: wal-fetch: \(name) cannot be read: \(text); recovery must stop here\n")
        throw ExitStatus.walUnreadable
      }
      guard let bytes else {
        Console.error("datamancy-backup: wal-fetch: \(name) is not archived\n")
        throw ExitStatus.failure
      }
      do {
        try AtomicFile.write(bytes, to: destination)
      } catch {
        Console.error(
          "datamancy-backup: wal-fetch: cannot write \(destination): \(error: error); recovery must stop here\n"
        )
        throw ExitStatus.walUnreadable
      }
    }
  }
}
