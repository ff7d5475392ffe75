import ArgumentParser
import DatamancyOperations
import DatamancyPOSIX
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

    @Option(help: "Compare folders with their trees in this set, not with each folder's newest good copy.")
    var parent: String?

    @Flag(name: .customLong("force-reread"), help: "Read every file of a folder, even those unchanged.")
    var forceReread = false

    func validate() throws { _ = try stamp() }

    /// `--time`, parsed.
    func stamp() throws -> Date? {
      guard let time else { return nil }
      guard let parsed = UTCTime.parse(time) else {
        throw ValidationError("--time: expected an ISO 8601 time such as 2026-01-31T02:00:00Z")
      }
      return parsed
    }

    func run(_ context: CommandContext) throws {
      let stamp = try self.stamp()
      CPUPolicy.runAsBatch()
      let progress = Progress(verb: "backing up", enabled: Progress.enabled(global))
      var run = BackupRun(context: context.operations)
      run.parent = parent
      run.forceReread = forceReread
      run.onPlanned = { items in
        progress.itemsTotal = items.count
        // The total is shown once every item's is known (folders: walked meanwhile).
        let estimates = items.compactMap(\.estimate)
        guard estimates.count == items.count, !items.isEmpty else { return }
        DispatchQueue.global(qos: .utility).async {
          let known = estimates.compactMap { $0() }
          guard known.count == estimates.count else { return }
          progress.expect(bytes: known.reduce(0) { $0 + $1.bytes }, files: known.reduce(0) { $0 + $1.files })
        }
      }
      run.onBytes = { progress.add(bytes: $0) }
      run.onStart = { progress.started($0.name) }
      if Progress.enabled(global) { run.onOpen = { progress.opened($0, $1) } }
      run.onItem = { progress.itemDone($0.name) }
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
