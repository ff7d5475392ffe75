import DatamancyOperations
import DatamancyRepository
import Foundation

extension PruneReport {
  /// What prune did (or would do), in a few lines.
  func text(dryRun: Bool) -> String {
    let verb = dryRun ? "would delete" : "deleted"
    var lines = [
      "\(verb) \(unusedPacks) unused packs and \(unindexedPacks) unindexed packs; "
        + "\(dryRun ? "would repack" : "repacked") \(repackedPacks) packs"
        + (dryRun ? "" : " into \(newPacks)"),
      "pack files: \(Formatting.bytes(bytesBefore)) before, \(Formatting.bytes(bytesAfter)) after",
    ]
    if temporaryFiles > 0 {
      lines.append("removed \(temporaryFiles) temporary files of interrupted writes")
    }
    if !damagedSets.isEmpty {
      lines.append(
        "\(damagedSets.count) set files cannot be read, so every chunk was kept: "
          + "'forget ID' or 'repair' removes them (docs/operations.md)")
    }
    for wal in wal {
      lines.append(
        wal.keptFrom.map { first in
          "WAL \(wal.source): \(verb) \(Formatting.count(wal.files, "file")) (\(Formatting.bytes(wal.bytes))) "
            + "older than the oldest kept base backup, which starts at \(first)"
        } ?? "WAL \(wal.source): kept everything: no base backup is recoverable, or a set file cannot be read"
      )
    }
    return lines.joined(separator: "\n")
  }
}
