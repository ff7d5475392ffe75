import ArgumentParser
import DatamancyConfig
import DatamancyOperations
import DatamancyRepository
import DatamancySources
import Foundation

extension DatamancyBackup {
  struct Backup: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Back up every configured source (or some) into one backup set.",
      discussion: ExitStatus.table)

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("source"), help: "Back up only this source (repeatable).")
    var sources: [String] = []

    @Option(help: "Tag the set (repeatable).") var tag: [String] = []

    @Option(help: "Record the set with this time (ISO 8601, e.g. 2026-01-31T02:00:00Z), to import old dumps.")
    var time: String?

    func run(_ context: CommandContext) throws {
      let configured = context.config.sources
      guard !configured.isEmpty else {
        throw CLIError.usage("no sources configured: add a 'sources:' section to the configuration")
      }
      for name in sources where !configured.contains(where: { $0.name == name }) {
        throw CLIError.usage(
          "no source named '\(name)'; configured: \(configured.map(\.name).joined(separator: ", "))")
      }
      var stamp = context.now()
      if let time {
        guard let parsed = try? Date(time, strategy: .iso8601) else {
          throw CLIError.usage("--time: expected an ISO 8601 time such as 2026-01-31T02:00:00Z")
        }
        stamp = parsed
      }
      let chosen = configured.filter { sources.isEmpty || sources.contains($0.name) }
      let planned = try chosen.flatMap {
        try SourcePlanning.planner(for: $0, context: context.operations).items()
      }
      CPUPolicy.runAsBatch()
      let concurrency = context.config.concurrency ?? ProcessInfo.processInfo.activeProcessorCount
      let early = EarlyStart(planned, count: concurrency)
      let repository: Repository
      do {
        repository = try context.openRepository()
      } catch {
        early.cancel()
        throw error
      }
      let unusable = repository.index.unusablePacks
      if !unusable.isEmpty {
        let first = unusable.keys.sorted()[0].prefix(16)
        context.logger.warning(
          "\(unusable.count) indexed packs are missing or truncated (\(first)…): their chunks are stored again; run 'datamancy-backup repair' (docs/operations.md)"
        )
      }
      let compression = context.config.repository.compression.flatMap(Compression.init(text:))
      let progress = Progress(verb: "backing up", items: planned.count, enabled: Progress.enabled(global))
      let session = BackupSession(repository: repository, compression: compression)
      session.onBytes = { progress.add(bytes: $0) }
      var runner = BackupRunner(
        session: session, concurrency: concurrency, host: context.host, logger: context.logger)
      runner.tags = tag
      runner.onItem = { _ in progress.itemDone() }
      let notifier = context.notifier
      notifier.started()
      let set: BackupSet
      do {
        set = try context.withLock(repository, exclusive: false, command: "backup") {
          try runner.run(early.items, time: stamp)
        }
      } catch {
        early.cancel()
        notifier.finished(
          RunOutcome(
            event: "backup", succeeded: false, host: context.host, time: stamp, set: nil,
            summary:
              "the backup did not run to the end: \(DatamancyBackup.message(for: error)?.text ?? "\(error)")",
            failures: []))
        throw error
      }
      progress.finish()
      let summary = BackupSummary.text(set)
      notifier.finished(.backup(set, summary: summary))
      if global.json {
        try context.printJSON(IdentifiedSet(set: set))
      } else {
        context.print(summary)
      }
      let copyFailures = copyToSecondaries(context, repository, set: set)
      if set.status != .complete { throw ExitStatus.partial }
      if let retention = context.config.retention, retention.auto {
        try RetentionRun.applyAfterBackup(context.operations, repository)
      }
      if !copyFailures.isEmpty { throw CopyFailed(failures: copyFailures) }
    }

    /// `copy_to:`: copies what each secondary lacks (this set, and any earlier set a
    /// failed copy left behind). A failed copy is reported; the others still run and
    /// the backup itself stands.
    func copyToSecondaries(_ context: CommandContext, _ repository: Repository, set: BackupSet) -> [String] {
      guard set.status != .failed else { return [] }
      var failures: [String] = []
      for name in context.config.copyTo {
        do {
          let outcome = try CopyRun(context: context.operations, source: repository, targetName: name).run(
            try repository.sets(), sources: [], dryRun: false)
          if !global.json { context.print(outcome.text) }
        } catch {
          let reason = DatamancyBackup.message(for: error)?.text ?? "\(error)"
          context.logger.error("copy to \(name) failed: \(reason)")
          failures.append("\(name): \(reason)")
        }
      }
      return failures
    }
  }
}

/// `backup` stored its set, but a `copy_to:` copy failed.
struct CopyFailed: Error, CustomStringConvertible {
  var failures: [String]
  var description: String {
    "the backup set was saved, but copying it failed: \(failures.joined(separator: "; ")); run 'datamancy-backup copy --to NAME' once the cause is fixed"
  }
}
