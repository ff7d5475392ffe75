import ArgumentParser
import DatamancyOperations

extension DatamancyBackup {
  struct Stats: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Repository size, deduplication and compression ratios, in total and per item.",
      discussion: ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository(loadIndex: false)
      let stats = try context.withLock(repository, exclusive: false, command: "stats", readOnly: true) {
        try RepositoryStats.build(repository, packSizes: try repository.loadIndex())
      }
      if global.json {
        try context.printJSON(stats)
      } else {
        context.print(stats.text)
      }
    }
  }
}
