import DatamancyOperations
import DatamancyRepository
import DatamancySources
import Foundation

/// The interactive restore: choose a set (newest first, with status and age), the
/// items, and each item's target (a new database, the original one, or a folder);
/// then see the plan and confirm it. Returns nil when the operator cancels.
struct RestoreWizard {
  let context: CommandContext
  let repository: Repository
  let prompt: Prompt

  func run() throws -> (BackupSet, [RestoreTarget])? {
    let sets = Array(try repository.sets().reversed().prefix(20))
    guard !sets.isEmpty else { throw RepositoryError.noSuchSet(selector: "latest") }
    let now = context.now()
    prompt.say("Backup sets, newest first:")
    let setLines = sets.map { set in
      "\(set.shortID)  \(Formatting.time(set.time))  \(set.status.rawValue)  "
        + "\(set.items.count) items  \(Formatting.seconds(now.timeIntervalSince(set.time))) ago"
        + (set.tags.isEmpty ? "" : "  [\(set.tags.joined(separator: ", "))]")
    }
    guard let setIndex = prompt.choose("Set", setLines) else { return nil }
    let set = sets[setIndex]
    let good = set.items.filter { $0.status == .ok }
    guard !good.isEmpty else { throw CLIError.usage("set \(set.shortID) has no good item to restore") }
    prompt.say("Items of set \(set.shortID):")
    for (i, item) in good.enumerated() {
      prompt.say("  \(i + 1)) \(item.name)  \(Formatting.bytes(item.rawBytes))")
    }
    guard let items = pickItems(good) else { return nil }
    var plan: [RestoreTarget] = []
    for item in items {
      guard let target = try target(for: item) else { return nil }
      plan.append(target)
    }
    prompt.say("About to restore from set \(set.shortID):")
    for target in plan { prompt.say("  " + target.summary) }
    return prompt.confirm("Proceed?") ? (set, plan) : nil
  }

  /// Numbers separated by spaces or commas, or `all`.
  func pickItems(_ items: [BackupItem]) -> [BackupItem]? {
    while let answer = prompt.ask("Items to restore (numbers, or 'all')", default: "all") {
      if answer == "all" { return items }
      let numbers = answer.split(whereSeparator: { $0 == " " || $0 == "," }).map { Int($0) }
      if !numbers.isEmpty, numbers.allSatisfy({ $0 != nil && (1...items.count).contains($0!) }) {
        return numbers.map { items[$0! - 1] }
      }
      prompt.say("Answer with item numbers from 1 to \(items.count), or 'all'.")
    }
    return nil
  }

  func target(for item: BackupItem) throws -> RestoreTarget? {
    guard let (engine, database) = SourcePlanning.database(of: item, context: context.operations) else {
      return prompt.ask("Folder to restore \(item.name) into", default: "restored").map {
        RestoreTarget(item: item, place: .folder($0))
      }
    }
    let options = ["a new database", "the original database (\(database))", "a folder (the dump file)"]
    switch prompt.choose("Where should \(item.name) go", options) {
    case 0:
      guard let name = prompt.ask("Name of the new database", default: database + "_restored") else {
        return nil
      }
      return RestoreTarget(item: item, place: .database(engine, name))
    case 1:
      let tables = try engine.exists(database) ? try engine.tableCount(database) : 0
      if tables > 0 {
        let question =
          "\(database) holds \(Formatting.count(tables, "table")). Replace it (its contents are backed up first, tagged pre-restore)?"
        guard prompt.confirm(question) else { return nil }
      }
      return RestoreTarget(item: item, place: .database(engine, database), force: tables > 0)
    case 2:
      return prompt.ask("Folder", default: "restored").map { RestoreTarget(item: item, place: .folder($0)) }
    default: return nil
    }
  }
}
