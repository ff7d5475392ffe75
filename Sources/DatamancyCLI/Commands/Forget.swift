import ArgumentParser
import DatamancyConfig
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Forget: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Remove the sets the retention policy does not keep (their data goes with prune).",
      discussion: """
        The policy is retention: in the configuration (per source overridable), or the \
        --keep-* flags, which replace it. It applies to each item's history separately; see \
        README, "Retention". Never removed: the newest good copy of each item, sets newer \
        than it, pinned sets (tag --pin).

        Given set ids, removes exactly those sets instead (no policy applies), and also \
        set files that cannot be read (snapshots lists them as damaged).

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var keep: KeepOptions

    @Argument(help: "Remove these sets (ids or unique prefixes) instead of applying the policy.")
    var sets: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Show what would be kept and removed, and remove nothing.")
    var dryRun = false

    @Flag(help: "Then remove the data no set uses (as prune does).") var prune = false

    func validate() throws {
      if !sets.isEmpty, keep.given || prune {
        throw ValidationError("forget SET... removes the sets named; it takes no --keep-* or --prune")
      }
      if let within = keep.within, DurationText.seconds(within) == nil {
        throw ValidationError("--keep-within: expected a duration such as 7d or 36h")
      }
    }

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository()
      if !sets.isEmpty {
        let removed = try NamedRemoval(context: context.operations, repository: repository).run(
          sets, dryRun: dryRun)
        for id in removed { context.print("\(dryRun ? "would remove" : "removed") set \(id.prefix(8))") }
        return
      }
      let policies = try keep.policies(context.config)
      let decisions = try context.withLock(repository, exclusive: !dryRun, command: "forget") {
        try RetentionRun(repository: repository, policies: policies).apply(dryRun: dryRun)
      }
      if global.json {
        try context.printJSON(decisions)
      } else {
        context.print(RetentionText.text(decisions, dryRun: dryRun))
      }
      if prune && !dryRun {
        let report = try PruneRun(context: context.operations, repository: repository).run()
        if !global.json { context.print(report.text(dryRun: false)) }
      }
    }
  }
}

/// The `--keep-*` flags of `forget`.
struct KeepOptions: ParsableArguments {
  @Option(name: .customLong("keep-latest"), help: "Keep the newest N copies of each item.") var latest: Int?
  @Option(name: .customLong("keep-hourly"), help: "Keep the newest copy in each of the last N hours.")
  var hourly: Int?
  @Option(name: .customLong("keep-daily"), help: "Keep the newest copy in each of the last N days.")
  var daily: Int?
  @Option(name: .customLong("keep-weekly"), help: "Keep the newest copy in each of the last N ISO weeks.")
  var weekly: Int?
  @Option(name: .customLong("keep-monthly"), help: "Keep the newest copy in each of the last N months.")
  var monthly: Int?
  @Option(name: .customLong("keep-annual"), help: "Keep the newest copy in each of the last N years.")
  var annual: Int?
  @Option(name: .customLong("keep-within"), help: "Keep every copy within this duration of the newest (7d).")
  var within: String?

  var given: Bool {
    [latest, hourly, daily, weekly, monthly, annual].contains { $0 != nil } || within != nil
  }

  /// The policy of each source: the flags for all when any is given, else the
  /// configuration's (a source's own retention replacing the top level's).
  func policies(_ config: BackupConfig) throws -> [String: RetentionPolicy] {
    if given {
      var withinSeconds: Double?
      if let within {
        guard let seconds = DurationText.seconds(within) else {
          throw CLIError.usage("--keep-within: expected a duration such as 7d or 36h")
        }
        withinSeconds = seconds
      }
      let policy = RetentionPolicy(
        latest: latest ?? 0, hourly: hourly ?? 0, daily: daily ?? 0, weekly: weekly ?? 0,
        monthly: monthly ?? 0,
        annual: annual ?? 0, within: withinSeconds)
      return ["*": policy]
    }
    return try Self.configured(config)
  }

  /// The configuration's policy of each source.
  static func configured(_ config: BackupConfig) throws -> [String: RetentionPolicy] {
    try RetentionRun.policies(config)
  }
}
