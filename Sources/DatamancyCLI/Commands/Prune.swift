import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Prune: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Delete the data no set uses, and repack mostly unused packs.",
      discussion: """
        Takes the exclusive lock (a running backup makes it fail with the lock message). \
        Crash-safe: new packs first, then a new index, then the old index files and packs \
        are removed; killed at any point, the repository passes check --read-data and a \
        rerun finishes the job. The WAL of postgres_pitr sources is kept from the start of \
        the oldest kept base backup on; older WAL is deleted.

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Option(
      name: .customLong("repack-below"),
      help: "Repack packs whose live bytes are below this share of the pack (default 50%).")
    var repackBelow = "50%"

    @Flag(name: .customLong("dry-run"), help: "Show what would be deleted and repacked.") var dryRun = false

    func validate() throws { _ = try percent() }

    /// `--repack-below`, as a share from 0 to 1.
    func percent() throws -> Double {
      let text = repackBelow.hasSuffix("%") ? String(repackBelow.dropLast()) : repackBelow
      guard let percent = Double(text), (0...100).contains(percent) else {
        throw ValidationError("--repack-below: expected a percentage such as 50%")
      }
      return percent / 100
    }

    func run(_ context: CommandContext) throws {
      let share = try percent()
      let repository = try context.openRepository(loadIndex: false)
      var prune = PruneRun(context: context.operations, repository: repository)
      prune.repackBelow = share
      let report = try prune.run(dryRun: dryRun)
      if global.json {
        try context.printJSON(report)
      } else {
        context.print(report.text(dryRun: dryRun))
      }
    }
  }
}
