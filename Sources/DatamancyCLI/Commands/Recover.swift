import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Recover: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Bring every configured source back onto empty servers and paths after the host is lost.",
      discussion: """
        Each item of each source at its newest good copy across the sets, in two stages: \
        accounts (PostgreSQL roles and tablespaces, MariaDB's mysql database), then everything \
        else in parallel up to `concurrency` (databases under their own names with their owner, \
        ACL and settings; Redis loaded online; folders to their original paths with owners, \
        modes, xattrs and ACLs). Each restored item is compared with what was recorded at backup, \
        as drill does, and the whole stack is timed against drill.rto. A target that holds data \
        is refused unless --force (which saves it first). Run again after an interruption: items \
        already restored are checked and kept. A postgres_pitr cluster comes back whole \
        (its server stopped and started around it) to --to-time or the end of its archive, \
        archiving again after its promotion; dumps of the same server are then left out. \
        --plan changes nothing.

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print the stages, items, chosen copies, targets and what is missing; change nothing.")
    var plan = false

    @Flag(help: "Recover without asking: needed for anything but --plan.") var yes = false

    @Flag(help: "Replace targets that hold data (databases are backed up first, tagged pre-restore).")
    var force = false

    @Option(help: "Recover only this source (repeatable).") var only: [String] = []

    @Option(help: "Leave this source out (repeatable).") var skip: [String] = []

    @Option(
      name: .customLong("to"),
      help: ArgumentHelp(
        "Put folders under DIR (DIR/<original path>) instead of their paths.", valueName: "DIR"))
    var folderRoot: String?

    @Option(
      name: .customLong("to-time"),
      help: ArgumentHelp(
        "Recover postgres_pitr clusters to TIME (2026-12-01T16:59:00Z) instead of the end of their archive.",
        valueName: "TIME"))
    var toTime: String?

    @Option(help: "Also write the report (JSON) to this file.") var report: String?

    func validate() throws { _ = try Restore.parseTarget(time: toTime, lsn: nil) }

    func run(_ context: CommandContext) throws {
      try context.requireSources(only, flag: "--only")
      try context.requireSources(skip, flag: "--skip")
      var options = RecoverRun.Options()
      options.plan = plan || !yes
      options.force = force
      options.only = only
      options.skip = skip
      options.folderRoot = folderRoot
      options.pointInTime = try Restore.parseTarget(time: toTime, lsn: nil)
      let result = try RecoverRun(context: context.operations, options: options).run()
      if let report { try BackupSet.encoder.encode(result).write(to: URL(fileURLWithPath: report)) }
      if global.json {
        try context.printJSON(result)
      } else {
        context.print(result.text)
      }
      if !plan && !yes {
        throw CLIError.usage(
          "nothing was changed: pass --yes to recover (the plan above), or --plan to only see it")
      }
      if !result.passed { throw ExitStatus.recoverIncomplete }
    }
  }
}
