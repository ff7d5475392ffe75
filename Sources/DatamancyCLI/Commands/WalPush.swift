import ArgumentParser
import DatamancyOperations
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
      do {
        _ = try WALArchiveRun(context: context.operations, source: source)
          .push(path: path, dataDirectory: FileManager.default.currentDirectoryPath)
      } catch let unreadable as WALArchiveRun.Unreadable {
        Console.error("datamancy-backup: \(unreadable.description)\n")
        throw ExitStatus.failure
      }
    }
  }
}
