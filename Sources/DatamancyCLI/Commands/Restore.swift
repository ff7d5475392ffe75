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
    var overwrite: TreeRestorer.Overwrite = .never

    @Flag(
      name: .customLong("owners-by-name"), help: "Give restored files their owners by name, not by number.")
    var ownersByName = false

    @Flag(help: "Replace a database that holds tables (it is backed up first, tagged pre-restore).")
    var force = false

    @Flag(name: .customLong("dry-run"), help: "Show what would be restored, and do nothing.") var dryRun =
      false

    @Flag(help: "Do not ask for confirmation on a terminal.") var yes = false

    /// Every rule between the flags, checked before a repository is opened or a
    /// prompt shown.
    func validate() throws {
      if toTime != nil || toLSN != nil {
        guard source != nil, to != nil, set == nil, item.isEmpty, (toTime == nil) != (toLSN == nil) else {
          throw ValidationError(
            "--to-time or --to-lsn (one of them) takes --source NAME and --to DIR, and no set or --item")
        }
        _ = try Self.parseTarget(time: toTime, lsn: toLSN)
        return
      }
      if set == nil {
        guard isatty(0) != 0, isatty(1) != 0, item.isEmpty, to == nil, targetDB == nil, !original else {
          throw ValidationError(
            "name the set to restore ('latest' for the newest), or run 'restore' alone on a terminal for the wizard"
          )
        }
      }
      if targetDB != nil, item.count != 1 {
        throw ValidationError("--target-db loads one item: name it with --item")
      }
    }

    func run(_ context: CommandContext) throws {
      if toTime != nil || toLSN != nil { return try pointInTime(context) }
      let repository = try context.openRepository()
      guard let (chosen, plan) = try choose(repository, context: context) else {
        if !dryRun { context.print("Nothing was restored.") }
        return
      }
      let progress = Progress(verb: "restoring", items: plan.count, enabled: Progress.enabled(global))
      var execution = RestoreExecution(context: context.operations, repository: repository, set: chosen)
      execution.onBytes = { progress.add(bytes: $0) }
      execution.paths = path
      execution.ownersByName = ownersByName
      execution.overwrite = overwrite
      let records = try context.withLock(repository, exclusive: false, command: "restore", readOnly: !force) {
        try plan.map { target in
          defer { progress.itemDone() }
          return try execution.run(target)
        }
      }
      progress.finish()
      try report(records, of: chosen, context: context)
    }
  }
}

extension TreeRestorer.Overwrite: ExpressibleByArgument {}
