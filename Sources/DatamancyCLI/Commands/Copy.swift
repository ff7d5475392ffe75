import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Copy: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Copy backup sets into another repository (an offsite copy).",
      discussion: """
        Copies the sets (or the items of sets) the other repository lacks, re-encrypted \
        under its keys and deduplicated against what it already holds. A copy that \
        stops midway is resumed by the next one; a copy with nothing to do writes \
        nothing. The other repository must exist ('init' it first). Its password: \
        the entry's password in 'repositories:', else DATAMANCY_BACKUP_TO_PASSWORD, \
        else this repository's password.

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The other repository: a name under 'repositories:', or a folder or s3:// path.")
    var to: String

    @Option(
      name: .customLong("set"), help: "Copy only this set: an id, a unique prefix, or 'latest' (repeatable).")
    var sets: [String] = []

    @Option(name: .customLong("source"), help: "Copy only the items of this source (repeatable).")
    var sources: [String] = []

    @Flag(help: "List what would be copied; copy nothing.") var dryRun = false

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository()
      let chosen = sets.isEmpty ? try repository.sets() : try sets.map { try repository.findSet($0) }
      let outcome = try CopyRun(context: context.operations, source: repository, targetName: to).run(
        chosen, sources: sources, dryRun: dryRun)
      if global.json { try context.printJSON(outcome.copied) } else { context.print(outcome.text) }
    }
  }
}
