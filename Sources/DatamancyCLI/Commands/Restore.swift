import ArgumentParser
import DatamancyRepository
import DatamancySources
import Foundation

extension DatamancyBackup {
  struct Restore: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the items of a set back out into a folder.",
      discussion: "Stream items become files, folder items become folders, under DIR/<item name>.\n\n"
        + ExitStatus.table)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The set: an id, a unique prefix of one, or 'latest'.") var set: String

    @Option(help: "The folder to restore into.") var to: String

    @Option(help: "Restore only this item (repeatable).") var item: [String] = []

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository()
      let chosen = try repository.findSet(set)
      let items = try ItemSelection.pick(item, from: chosen)
      let progress = Progress(verb: "restoring", items: items.count, enabled: Progress.enabled(global))
      var restorer = ItemRestorer(repository: repository, runner: context.runner)
      restorer.onBytes = { progress.add(bytes: $0) }
      var restored: [String] = []
      try context.withLock(repository, exclusive: false, command: "restore") {
        for item in items {
          restored.append(try restorer.restore(item, of: chosen, into: to))
          progress.itemDone()
        }
      }
      progress.finish()
      if global.json {
        try context.printJSON(["set": chosen.id, "restored": restored.joined(separator: "\n")])
      } else {
        for path in restored { context.print("restored \(path)") }
      }
    }
  }
}

/// Picks the items a command names (all good ones when none is named).
enum ItemSelection {
  static func pick(_ names: [String], from set: BackupSet) throws -> [BackupItem] {
    if names.isEmpty { return set.items.filter { $0.status == .ok } }
    return try names.map { name in
      guard let item = set.items.first(where: { $0.name == name }) else {
        throw RepositoryError.noSuchItem(set: set.shortID, item: name)
      }
      guard item.status == .ok else {
        throw CLIError.usage("item \(name) failed in set \(set.shortID): \(item.error ?? "no data")")
      }
      return item
    }
  }
}
