import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Snapshots: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "List backup sets (id, time, status, items, sizes), or one set's items.",
      discussion: ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Show this set's items: an id, a unique prefix of one, or 'latest'.") var set: String?

    @Option(help: "Only sets holding this item (repeatable: any of them).") var item: [String] = []
    @Option(help: "Only sets with this tag (repeatable: any of them).") var tag: [String] = []
    @Option(help: "Only sets made on this host (repeatable: any of them).") var host: [String] = []

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository(loadIndex: false)
      if let set {
        let chosen = try repository.findSet(set, holding: item)
        if global.json { return try context.printJSON(SetSummary(chosen)) }
        return context.print(Self.items(chosen))
      }
      // With --json, damaged set files are reported on standard error (as warnings).
      let (all, damaged) = global.json ? (try repository.sets(), []) : try repository.setListing()
      let sets = all.filter { set in
        (item.isEmpty || set.items.contains { item.contains($0.name) })
          && (tag.isEmpty || !Set(tag).isDisjoint(with: set.tags))
          && (host.isEmpty || host.contains(set.host))
      }
      if global.json { return try context.printJSON(sets.map(SetSummary.init)) }
      var rows = [["id", "time", "host", "status", "items", "raw", "stored", "duration", "tags"]]
      for set in sets {
        let good = set.items.filter { $0.status == .ok }.count
        rows.append([
          set.shortID, Formatting.time(set.time), set.host, set.status.rawValue, "\(good)/\(set.items.count)",
          Formatting.bytes(set.rawBytes), Formatting.bytes(set.storedBytes),
          Formatting.seconds(set.durationSeconds), set.tags.joined(separator: ","),
        ])
      }
      for file in damaged {
        rows.append([String(file.id.prefix(8)), "-", "-", "damaged", "-", "-", "-", "-", file.reason])
      }
      context.print(Formatting.table(rows))
      let filtered = sets.count < all.count ? " of \(all.count)" : ""
      context.print(
        Formatting.count(sets.count, "set") + filtered
          + (damaged.isEmpty
            ? ""
            : ", \(damaged.count) damaged set files (unreadable: 'forget ID' removes one; prune keeps all data meanwhile)")
      )
    }

    /// One set's items: status, sizes, duration, and the tables fingerprinted (or files stored).
    static func items(_ set: BackupSet) -> String {
      var rows = [["", "item", "raw", "stored", "time", "fingerprints"]]
      for item in set.items {
        rows.append([
          item.status == .ok ? (item.warning == nil ? "ok" : "ok!") : "FAILED", item.name,
          Formatting.bytes(item.rawBytes), Formatting.bytes(item.storedBytes),
          Formatting.seconds(item.durationSeconds),
          item.fingerprints.map { Formatting.count($0.count, "table") }
            ?? item.files.map { Formatting.count($0.new + $0.changed + $0.unchanged, "file") } ?? "-",
        ])
      }
      var lines = [
        "set \(set.id)",
        "time \(Formatting.time(set.time)), host \(set.host), \(set.status.rawValue)"
          + (set.tags.isEmpty ? "" : ", tags: \(set.tags.joined(separator: ", "))"),
        Formatting.table(rows),
      ]
      for item in set.items {
        if let files = item.files { lines.append("  \(item.name): \(BackupSummary.files(files))") }
        if let error = item.error { lines.append("  \(item.name): \(error)") }
        if let warning = item.warning { lines.append("  \(item.name): warning: \(warning)") }
      }
      return lines.joined(separator: "\n")
    }
  }
}

/// A set without its chunk lists, for listings.
struct SetSummary: Encodable {
  struct Item: Encodable {
    var name, source, format, status: String
    /// What the bytes are, and a folder's original path (as the set records them).
    var content, path: String?
    /// The server's version when a database item was dumped, where recorded.
    var serverVersion: String?
    var error, warning: String?
    var rawBytes, storedBytes: Int
    var durationSeconds: Double
    /// A folder's files: new, changed, unchanged, and bytes read or skipped.
    var files: FileCounts?
  }

  var id: String
  var time: Date
  var host, status: String
  var tags: [String]
  var rawBytes, storedBytes: Int
  var durationSeconds: Double
  var items: [Item]

  init(_ set: BackupSet) {
    id = set.id
    time = set.time
    host = set.host
    status = set.status.rawValue
    tags = set.tags
    rawBytes = set.rawBytes
    storedBytes = set.storedBytes
    durationSeconds = set.durationSeconds
    items = set.items.map {
      Item(
        name: $0.name, source: $0.source, format: $0.format.rawValue, status: $0.status.rawValue,
        content: $0.content?.rawValue, path: $0.path, serverVersion: $0.recovery?.serverVersion,
        error: $0.error, warning: $0.warning,
        rawBytes: $0.rawBytes, storedBytes: $0.storedBytes,
        durationSeconds: $0.durationSeconds, files: $0.files)
    }
  }
}
