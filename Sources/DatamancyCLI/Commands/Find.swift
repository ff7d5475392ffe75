import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Find: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Find files by name or path in the folder items of the sets, newest sets first.",
      discussion: """
        A pattern without a slash matches names ('*.conf'), one with a slash whole paths \
        inside an item ('grafana/*.db'); quote it so the shell leaves it alone.

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A glob: * ? [...]") var pattern: String
    @Option(help: "Search only this set: an id, a unique prefix of one, or 'latest'.") var set: String?
    @Option(help: "Search only this item (repeatable).") var item: [String] = []

    struct Found: Encodable {
      var set: String
      var time: Date
      var item: String
      var path: String
      /// The path for a terminal (escaped), in the table only.
      var shown: String
      var type: String

      enum CodingKeys: String, CodingKey { case set, time, item, path, type, size }
      var size: UInt64
    }

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository()
      let sets = try set.map { [try repository.findSet($0)] } ?? repository.sets().reversed()
      let search = TreeSearch(repository: repository, pattern: pattern)
      var found: [Found] = []
      try context.withLock(repository, exclusive: false, command: "find", readOnly: true) {
        for set in sets {
          for item in set.items where item.format == .tree && item.tree != nil {
            guard self.item.isEmpty || self.item.contains(item.name) else { continue }
            for match in try search.matches(in: item, of: set) {
              found.append(
                Found(
                  set: set.id, time: set.time, item: item.name,
                  path: String(decoding: match.path, as: UTF8.self),
                  shown: TreePath.display(match.path), type: "\(match.entry.kind)", size: match.entry.size))
            }
          }
        }
      }
      if global.json { return try context.printJSON(found) }
      let rows = found.map {
        [String($0.set.prefix(8)), Formatting.time($0.time), $0.item, "\($0.size)", $0.shown]
      }
      guard !rows.isEmpty else { return context.print("no path matches \(pattern)") }
      context.print(Formatting.table([["set", "time", "item", "size", "path"]] + rows))
    }
  }
}
