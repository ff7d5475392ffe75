import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Repair: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "After damage: rebuild the index from what authenticates, and mark what was lost.",
      discussion: """
        Reads every pack (as check --read-data does) under the exclusive lock. The index \
        is rebuilt from the chunks that authenticate (packs no index named included); the \
        good chunks of damaged packs move into new packs; damaged packs and index files are \
        removed. Items of sets that lost chunks are marked failed (the sets stay: their \
        other items still restore); set, key and report files that fail authentication are \
        removed (never the key in use); the next backup stores the lost chunks again while \
        their data still exists. Killed at any point, a rerun finishes the job. The path \
        after damage: check --read-data, repair, backup, check --read-data \
        (docs/operations.md).

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository(loadIndex: false)
      let progress = Progress(verb: "reading", items: 0, enabled: Progress.enabled(global))
      var repairer = Repairer(repository: repository)
      repairer.now = context.now()
      repairer.onBytes = { progress.add(bytes: $0) }
      let report = try context.withLock(repository, exclusive: true, command: "repair") {
        try repairer.run()
      }
      progress.finish()
      if global.json { return try context.printJSON(report) }
      context.print(Self.text(report))
    }

    static func text(_ report: RepairReport) -> String {
      var lines: [String] = []
      for (pack, problem) in report.damagedPacks.sorted(by: { $0.key < $1.key }) {
        lines.append("damaged pack \(pack.prefix(16)): \(problem)")
      }
      for name in report.damagedIndexFiles { lines.append("damaged index file \(name)") }
      for set in report.affectedSets {
        let items = set.items.map { "\($0.item) (lost \($0.lostChunks) of \($0.chunks) chunks)" }
        lines.append(
          "set \(set.set.prefix(8)) (\(Formatting.time(set.time))), now \(set.newID.prefix(8)): "
            + "marked failed: \(items.joined(separator: ", "))")
      }
      for set in report.damagedSets { lines.append("removed unreadable set file \(set.file): \(set.reason)") }
      for key in report.damagedKeys {
        lines.append("removed damaged key file \(key): add a key ('key add') for whoever used its password")
      }
      for file in report.damagedReports { lines.append("removed damaged report \(file)") }
      lines.append(
        "read \(report.packsRead) packs (\(Formatting.bytes(report.bytesRead))); "
          + "\(report.damagedPacks.count) damaged, \(report.chunksSalvaged) chunks salvaged into "
          + "\(report.newPacks) new packs, \(report.packsIndexed) unindexed packs indexed, "
          + "\(report.indexFilesReplaced) index files replaced")
      lines.append(
        report.changed
          ? "repaired: run 'datamancy-backup backup' to store lost data again, then 'check --read-data'"
          : "nothing to repair")
      return lines.joined(separator: "\n")
    }
  }
}
