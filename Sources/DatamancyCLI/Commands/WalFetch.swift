import ArgumentParser
import DatamancyOperations
import Foundation

extension DatamancyBackup {
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
      let archived: Bool
      do {
        archived = try WALArchiveRun(context: context.operations, source: source).fetch(name, to: destination)
      } catch let failed as WALArchiveRun.FetchFailed {
        Console.error("datamancy-backup: wal-fetch: \(failed.description)\n")
        throw ExitStatus.walUnreadable
      }
      guard archived else {
        Console.error("datamancy-backup: wal-fetch: \(name) is not archived\n")
        throw ExitStatus.failure
      }
    }
  }
}
