import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup.Restore {
  /// The set and where each item goes: from the flags (asking before a
  /// database is replaced, on a terminal), or from the wizard. Nil: nothing to
  /// do (a dry run, or the operator said no).
  func choose(_ repository: Repository, context: CommandContext) throws
    -> (BackupSet, [RestoreTarget])?
  {
    guard let set else {
      return try RestoreWizard(context: context, repository: repository, prompt: Prompt()).run()
    }
    let chosen = try repository.findSet(set, holding: item)
    let plan = try targets(try ItemSelection.pick(item, from: chosen), context: context)
    if dryRun {
      for target in plan { context.print("would restore \(target.summary)") }
      return nil
    }
    let asks =
      !yes && isatty(0) != 0 && plan.contains { if case .database = $0.place { true } else { false } }
    guard asks else { return (chosen, plan) }
    let prompt = Prompt()
    plan.forEach { prompt.say("  " + $0.summary) }
    let tags = chosen.tags.isEmpty ? "" : ", tags: \(chosen.tags.joined(separator: ", "))"
    let yes = prompt.confirm("Restore from set \(chosen.shortID) (\(Formatting.time(chosen.time))\(tags))?")
    return yes ? (chosen, plan) : nil
  }

  func report(_ records: [RestoreRecord], of chosen: BackupSet, context: CommandContext) throws {
    if global.json { return try context.printJSON(RestoreOutput(set: chosen.id, restored: records)) }
    for record in records {
      let steps = record.steps.map { "\($0.name) \(Formatting.seconds($0.seconds))" }
      context.print(
        "restored \(record.target) in \(Formatting.seconds(record.seconds)) (\(steps.joined(separator: ", ")))"
      )
      if let id = record.preRestoreSet {
        context.print("  its previous contents are in set \(id.prefix(8)) (tag pre-restore)")
      }
    }
  }
}

struct RestoreOutput: Encodable {
  var set: String
  var restored: [RestoreRecord]
}
