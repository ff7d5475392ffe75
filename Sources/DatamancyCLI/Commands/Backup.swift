import ArgumentParser
import DatamancyOperations
import Foundation

extension DatamancyBackup {
  struct Backup: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Back up every configured source (or some) into one backup set.",
      discussion: ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("source"), help: "Back up only this source (repeatable).")
    var sources: [String] = []

    @Option(help: "Tag the set (repeatable).") var tag: [String] = []

    @Option(help: "Record the set with this time (ISO 8601, e.g. 2026-01-31T02:00:00Z), to import old dumps.")
    var time: String?

    func run(_ context: CommandContext) throws {
      var stamp: Date?
      if let time {
        guard let parsed = try? Date(time, strategy: .iso8601) else {
          throw CLIError.usage("--time: expected an ISO 8601 time such as 2026-01-31T02:00:00Z")
        }
        stamp = parsed
      }
      CPUPolicy.runAsBatch()
      let progress = Progress(verb: "backing up", enabled: Progress.enabled(global))
      var run = BackupRun(context: context.operations)
      run.onPlanned = { progress.itemsTotal = $0 }
      run.onBytes = { progress.add(bytes: $0) }
      run.onItem = { _ in progress.itemDone() }
      let outcome: BackupRun.Outcome
      do {
        outcome = try run.run(sources: sources, tags: tag, time: stamp)
      } catch {
        progress.finish()
        throw error
      }
      progress.finish()
      if global.json {
        try context.printJSON(IdentifiedSet(set: outcome.set))
      } else {
        context.print(outcome.summary)
        for copy in outcome.copies { if let copied = copy.outcome { context.print(copied.text) } }
      }
      switch outcome.set.status {
      case .complete: break
      case .partial: throw ExitStatus.partial
      case .failed: throw ExitStatus.failure
      }
      if let failure = outcome.copyFailure { throw failure }
    }
  }
}
