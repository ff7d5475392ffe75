import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Tag: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Add or remove a set's tags, or pin it so retention never removes it.",
      discussion: "The set is stored again with its new tags, so its id changes; the new id is printed.\n\n"
        + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The set: an id, a unique prefix of one, or 'latest'.") var set: String
    @Option(help: "Add this tag (repeatable).") var add: [String] = []
    @Option(help: "Remove this tag (repeatable).") var remove: [String] = []
    @Flag(help: "Pin the set: forget never removes it.") var pin = false
    @Flag(help: "Unpin the set.") var unpin = false

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository(loadIndex: false)
      let changed = try context.withLock(repository, exclusive: true, command: "tag") {
        () throws -> BackupSet in
        var chosen = try repository.findSet(set)
        var tags = chosen.tags.filter { !remove.contains($0) && !(unpin && $0 == Retention.pinTag) }
        for tag in add + (pin ? [Retention.pinTag] : []) where !tags.contains(tag) { tags.append(tag) }
        guard tags != chosen.tags else { return chosen }
        chosen.tags = tags
        return try repository.replace(chosen)
      }
      if global.json {
        return try context.printJSON(["set": changed.id, "tags": changed.tags.joined(separator: ",")])
      }
      context.print(
        "set \(changed.shortID): tags \(changed.tags.isEmpty ? "(none)" : changed.tags.joined(separator: ", "))"
      )
    }
  }
}
