import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Drill: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Prove a set restorable: restore items into scratch targets and compare them.",
      discussion: """
        Five phases per item: select; prepare a scratch target (a new, uniquely named database \
        on the source's server, or a private redis-server or slapd on a free loopback port, or \
        a folder); restore; verify (every table's rows and content checksum against the \
        fingerprints recorded at backup; LDAP entries; Redis key counts); clean up, always. \
        The measured total is compared with drill.rto (4h). The report is saved with the set.

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The set: an id, a unique prefix of one, or 'latest'.") var set = "latest"

    @Option(help: "Drill this item (repeatable); default: drill.items, else every database item.")
    var item: [String] = []

    @Flag(help: "Drill every good item of the set, folders and command output included.") var all = false

    @Flag(
      help: ArgumentHelp(
        "Drill the whole stack: recover every source onto stand-in servers the drill starts "
          + "(initdb, mariadb-install-db, slapd, redis-server) and folders into a scratch folder, "
          + "prove and time it against drill.rto, then remove everything."))
    var cluster = false

    @Option(help: "With --cluster: leave this source out (repeatable).") var skip: [String] = []

    @Option(help: "Also write the report (JSON) to this file.") var report: String?

    func run(_ context: CommandContext) throws {
      // drill.cluster makes the plain (and scheduled) drill the whole stack's.
      let whole = context.operations.config.drillCluster && item.isEmpty && !all && set == "latest"
      if cluster || whole { return try runCluster(context) }
      let result = try DrillRun(context: context.operations).run(set: set, items: item, all: all)
      if let report { try BackupSet.encoder.encode(result).write(to: URL(fileURLWithPath: report)) }
      if global.json {
        try context.printJSON(result)
      } else {
        context.print(result.text)
      }
      if !result.passed { throw ExitStatus.drillFailed }
    }

    func validate() throws {
      if cluster, !item.isEmpty || all || set != "latest" {
        throw ValidationError(
          "--cluster recovers every source at its newest good copy: drop SET, --item and --all")
      }
    }

    func runCluster(_ context: CommandContext) throws {
      try context.requireSources(skip, flag: "--skip")
      let result = try ClusterDrillRun(context: context.operations).run(skip: skip)
      if let report { try BackupSet.encoder.encode(result).write(to: URL(fileURLWithPath: report)) }
      if global.json {
        try context.printJSON(result)
      } else {
        context.print(result.text)
      }
      if !result.drillPassed { throw ExitStatus.drillFailed }
    }
  }
}
