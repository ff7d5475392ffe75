import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import DatamancySources
import Foundation

extension DatamancyBackup {
  struct Restore: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Restore items of a set into a folder or into databases.",
      discussion: """
        With no arguments on a terminal, a wizard asks for the set, the items and each \
        item's target, shows the plan and asks before doing it.

        --to DIR writes items under DIR/<item name> (stream items as files, folders as \
        folders; --path P restores only P from a folder item). --target-db NAME loads one PostgreSQL or MariaDB item into the database NAME \
        on its source's server (pg_restore --exit-on-error --single-transaction, or the mariadb \
        client); --original loads each database item into the database it came from. A \
        database that holds tables is refused unless --force, which first backs it up as a \
        set tagged pre-restore. A new database whose load fails is dropped again.

        --source NAME --to-time TIME --to DIR (a postgres_pitr source): the newest base backup \
        that ended before TIME is extracted into DIR with recovery.signal, restore_command \
        (wal-fetch) and recovery_target_time, after checking that the archive holds every WAL \
        segment recovery reads (timelines followed through .history files); pg_ctl -D DIR \
        start recovers to TIME and promotes. --to-lsn X/Y stops at a WAL position instead; \
        --to-time latest recovers to the end of the archive. A target outside the recoverable \
        window is refused, naming the window.

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Argument(
      help: "The set: an id, a unique prefix of one, or 'latest'. Omit it on a terminal for the wizard.")
    var set: String?

    @Option(help: "The folder to restore into.") var to: String?

    @Option(help: "With --to-time: the postgres_pitr source whose cluster to recover.") var source: String?

    @Option(
      name: .customLong("to-time"),
      help:
        "Recover a postgres_pitr source's cluster into --to to this time (2026-12-01T16:59:00Z), or 'latest'."
    )
    var toTime: String?

    @Option(
      name: .customLong("to-lsn"),
      help: "Recover a postgres_pitr source's cluster into --to up to this WAL position (0/3000158).")
    var toLSN: String?

    @Option(help: "Restore only this item (repeatable).") var item: [String] = []

    @Option(name: .customLong("target-db"), help: "Load the one named database item into this database.")
    var targetDB: String?

    @Flag(help: "Load each database item into the database it came from.") var original = false

    @Flag(help: "Apply PostgreSQL roles and tablespaces (SOURCE/globals items) to their source's server.")
    var roles = false

    @Option(help: "In a folder item, restore only this file or folder (repeatable; with --item).")
    var path: [String] = []

    @Option(
      help: ArgumentHelp(
        "Into a folder item's existing target: never replace a file, replace it if its size or mtime differ, or always.",
        valueName: "never|if-changed|always"))
    var overwrite: String = "never"

    @Flag(
      name: .customLong("owners-by-name"), help: "Give restored files their owners by name, not by number.")
    var ownersByName = false

    @Flag(help: "Replace a database that holds tables (it is backed up first, tagged pre-restore).")
    var force = false

    @Flag(name: .customLong("dry-run"), help: "Show what would be restored, and do nothing.") var dryRun =
      false

    @Flag(help: "Do not ask for confirmation on a terminal.") var yes = false

    func run(_ context: CommandContext) throws {
      if toTime != nil || toLSN != nil { return try pointInTime(context) }
      let repository = try context.openRepository()
      let chosen: BackupSet
      let plan: [RestoreTarget]
      if let set {
        chosen = try repository.findSet(set, holding: item)
        plan = try targets(try ItemSelection.pick(item, from: chosen), context: context)
        if dryRun {
          for target in plan { context.print("would restore \(target.summary)") }
          return
        }
        let asks =
          !yes && isatty(0) != 0 && plan.contains { if case .database = $0.place { true } else { false } }
        if asks {
          let prompt = Prompt()
          plan.forEach { prompt.say("  " + $0.summary) }
          let tags = chosen.tags.isEmpty ? "" : ", tags: \(chosen.tags.joined(separator: ", "))"
          guard prompt.confirm("Restore from set \(chosen.shortID) (\(Formatting.time(chosen.time))\(tags))?")
          else {
            context.print("Nothing was restored.")
            return
          }
        }
      } else {
        guard isatty(0) != 0, isatty(1) != 0, item.isEmpty, to == nil, targetDB == nil, !original else {
          throw CLIError.usage(
            "name the set to restore ('latest' for the newest), or run 'restore' alone on a terminal for the wizard"
          )
        }
        guard let answer = try RestoreWizard(context: context, repository: repository, prompt: Prompt()).run()
        else {
          context.print("Nothing was restored.")
          return
        }
        (chosen, plan) = answer
      }
      let progress = Progress(verb: "restoring", items: plan.count, enabled: Progress.enabled(global))
      var execution = RestoreExecution(context: context.operations, repository: repository, set: chosen)
      execution.onBytes = { progress.add(bytes: $0) }
      execution.paths = path
      execution.ownersByName = ownersByName
      guard let policy = TreeRestorer.Overwrite(rawValue: overwrite) else {
        throw CLIError.usage("--overwrite takes never, if-changed or always, not '\(overwrite)'")
      }
      execution.overwrite = policy
      let records = try context.withLock(repository, exclusive: false, command: "restore", readOnly: !force) {
        try plan.map { target in
          defer { progress.itemDone() }
          return try execution.run(target)
        }
      }
      progress.finish()
      if global.json {
        try context.printJSON(RestoreOutput(set: chosen.id, restored: records))
        return
      }
      for record in records {
        let steps = record.steps.map { "\($0.name) \(Formatting.seconds($0.seconds))" }.joined(
          separator: ", ")
        context.print("restored \(record.target) in \(Formatting.seconds(record.seconds)) (\(steps))")
        if let id = record.preRestoreSet {
          context.print("  its previous contents are in set \(id.prefix(8)) (tag pre-restore)")
        }
      }
    }
  }
}

struct RestoreOutput: Encodable {
  var set: String
  var restored: [RestoreRecord]
}
