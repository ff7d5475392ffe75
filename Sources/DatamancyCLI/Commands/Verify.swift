import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Verify: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Check that a backup set is fresh, complete and restorable.",
      discussion: """
        For each item: the age of its newest good copy against its source's rpo (else \
        verify.max_age, 36h); a non-zero size and no shrink beyond verify.shrink (50%) since \
        the previous set; its integrity through its engine's tool (pg_restore --list and the \
        recorded fingerprints, the MariaDB trailer, redis-check-rdb, LDIF, tar); every chunk \
        read and authenticated. The report is saved with the set.

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The set: an id, a unique prefix of one, or 'latest'.") var set = "latest"

    @Flag(help: "Verify the newest copy of every item, whichever set holds it.") var all = false

    @Option(help: "Also write the report (JSON) to this file.") var report: String?

    func run(_ context: CommandContext) throws {
      let result = try VerifyRun(context: context.operations).run(set: set, all: all)
      if let report { try BackupSet.encoder.encode(result).write(to: URL(fileURLWithPath: report)) }
      if global.json {
        try context.printJSON(result)
      } else {
        context.print(result.text)
      }
      if !result.passed { throw ExitStatus.verifyFailed }
    }
  }
}
