import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Diff: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Show the paths added (+), removed (-) and changed (M) between two sets' folder items.",
      discussion: ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The older set: an id, a unique prefix of one, or 'latest'.") var first: String
    @Argument(help: "The newer set.") var second: String
    @Option(help: "Compare only this item (repeatable).") var item: [String] = []

    struct Line: Encodable {
      var item: String
      var change: String
      var path: String
      var shown: String
      var folder: Bool
      var sizeBefore: UInt64?
      var sizeAfter: UInt64?

      enum CodingKeys: String, CodingKey { case item, change, path, folder, sizeBefore, sizeAfter }
    }

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository()
      let (old, new) = (try repository.findSet(first), try repository.findSet(second))
      let names = Set(old.items.map(\.name)).union(new.items.map(\.name)).sorted().filter {
        item.isEmpty || item.contains($0)
      }
      var lines: [Line] = []
      try context.withLock(repository, exclusive: false, command: "diff", readOnly: true) {
        for name in names {
          let before = old.items.first { $0.name == name && $0.format == .tree && $0.tree != nil }
          let after = new.items.first { $0.name == name && $0.format == .tree && $0.tree != nil }
          guard before != nil || after != nil else { continue }
          let differences = try TreeDiff(repository: repository).compare(
            try before.map { try repository.rootTree(of: $0, in: old) } ?? [],
            try after.map { try repository.rootTree(of: $0, in: new) } ?? [])
          lines += differences.map {
            Line(
              item: name, change: $0.change.rawValue, path: String(decoding: $0.path, as: UTF8.self),
              shown: TreePath.display($0.path), folder: ($0.after ?? $0.before)?.kind == .directory,
              sizeBefore: $0.before?.size, sizeAfter: $0.after?.size)
          }
        }
      }
      if global.json { return try context.printJSON(lines) }
      for line in lines {
        let sizes = [line.sizeBefore, line.sizeAfter].compactMap { $0.map { Formatting.bytes(Int($0)) } }
        let detail = line.folder ? "/" : "  (\(sizes.joined(separator: " → ")))"
        context.print("\(line.change) \(line.item): \(line.shown)\(detail)")
      }
      context.print(
        "\(lines.filter { $0.change == "+" }.count) added, \(lines.filter { $0.change == "-" }.count) removed, "
          + "\(lines.filter { $0.change == "M" }.count) changed")
    }
  }
}
