import ArgumentParser
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

        """ + ExitStatus.table)

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
      let outcome = try CopyRun(context: context, source: repository, targetName: to).run(
        chosen, sources: sources, dryRun: dryRun)
      if global.json { try context.printJSON(outcome.copied) } else { context.print(outcome.text) }
    }
  }
}

/// One `copy`, also run by `backup` for each `copy_to:` repository.
struct CopyRun {
  let context: CommandContext
  let source: Repository
  let targetName: String

  struct Outcome {
    var copied: [SetCopier.Copied]
    var text: String
  }

  /// Copies what the target lacks of `sets`, set by set, each committed before the
  /// next, under a shared lock on the source and a backup's lock on the target.
  func run(_ sets: [BackupSet], sources: [String], dryRun: Bool) throws -> Outcome {
    let (label, target) = try context.openCopyTarget(targetName)
    let copier = SetCopier(source: source, target: target)
    return try context.withLock(source, exclusive: false, command: "copy") {
      try context.withLock(target, exclusive: false, command: "copy") {
        let plans = try copier.plan(sets, sources: sources)
        var lines: [String] = []
        var copied: [SetCopier.Copied] = []
        for plan in plans {
          let names = plan.missing.map(\.name).joined(separator: ", ")
          if dryRun {
            lines.append(
              "would copy set \(plan.set.shortID) (\(plan.set.time.formatted(.iso8601))): \(names)")
            continue
          }
          let done = try copier.copy(plan)
          copied.append(done)
          lines.append(
            "copied set \(plan.set.shortID) as \(done.targetSet.prefix(8)): \(done.items.count) items, "
              + "\(Formatting.bytes(done.rawBytes)) read, \(Formatting.bytes(done.storedBytes)) added")
          context.logger.info("copied set \(plan.set.id) to \(label) as \(done.targetSet)")
        }
        let already = sets.count - plans.count
        let verb = dryRun ? "would be copied" : "copied"
        lines.append(
          "\(plans.count) of \(sets.count) sets \(verb) to \(label); \(already) already there"
            + (dryRun ? "" : ", \(Formatting.bytes(copied.reduce(0) { $0 + $1.storedBytes })) added"))
        return Outcome(copied: copied, text: lines.joined(separator: "\n"))
      }
    }
  }
}
