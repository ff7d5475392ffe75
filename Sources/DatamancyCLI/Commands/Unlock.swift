import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Unlock: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Remove stale locks (--all: every lock).",
      discussion: """
        A lock is stale when it was not refreshed for 30 minutes, measured by the \
        storage's clock (file times, object times), never by comparing two hosts' \
        clocks; or when it belongs to a process of this host that no longer runs. A \
        running command refreshes its lock every 5 minutes, and stops by itself when it \
        cannot for 15. --all removes live locks too: run it only when no other \
        datamancy-backup uses the repository.

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Remove every lock, including those of running commands.") var all = false

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository(loadIndex: false)
      if all {
        context.logger.warning(
          "removing every lock: a command still running on the repository is no longer protected")
        let count = try RepositoryLock.removeAll(repository)
        return context.print("removed \(Formatting.count(count, "lock"))")
      }
      let removed = try RepositoryLock.removeStale(repository, now: context.now(), host: context.host)
      for lock in removed { context.print("removed stale lock \(lock)") }
      context.print("removed \(Formatting.count(removed.count, "stale lock"))")
    }
  }
}
