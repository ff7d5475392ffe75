import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Snapshots: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "List backup sets: id, time, status, items, sizes.", discussion: ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository(loadIndex: false)
      if global.json {
        // Damaged set files are reported on standard error (as warnings).
        try context.printJSON(try repository.sets().map(SetSummary.init))
        return
      }
      let (sets, damaged) = try repository.setListing()
      var rows = [["id", "time", "status", "items", "raw", "stored", "duration", "tags"]]
      for set in sets {
        let good = set.items.filter { $0.status == .ok }.count
        rows.append([
          set.shortID, Formatting.time(set.time), set.status.rawValue, "\(good)/\(set.items.count)",
          Formatting.bytes(set.rawBytes), Formatting.bytes(set.storedBytes),
          Formatting.seconds(set.durationSeconds), set.tags.joined(separator: ","),
        ])
      }
      for file in damaged {
        rows.append([String(file.id.prefix(8)), "-", "damaged", "-", "-", "-", "-", file.reason])
      }
      context.print(Formatting.table(rows))
      context.print(
        "\(sets.count) sets"
          + (damaged.isEmpty
            ? ""
            : ", \(damaged.count) damaged set files (unreadable: 'forget ID' removes one; prune keeps all data meanwhile)")
      )
    }
  }
}

/// A set without its chunk lists, for listings.
struct SetSummary: Encodable {
  struct Item: Encodable {
    var name, source, format, status: String
    var error, warning: String?
    var rawBytes, storedBytes: Int
    var durationSeconds: Double
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
        error: $0.error, warning: $0.warning, rawBytes: $0.rawBytes, storedBytes: $0.storedBytes,
        durationSeconds: $0.durationSeconds)
    }
  }
}
