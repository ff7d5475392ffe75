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
    return lines.joined(separator: "\n")
  }
}
