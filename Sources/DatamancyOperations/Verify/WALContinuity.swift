import DatamancyRepository
import DatamancySources
import Foundation

/// `verify` of a `postgres_pitr` item: the WAL from every kept base backup to the
/// newest archived segment must be there, without a gap, for the item to be
/// recoverable to any time after it.
public enum WALContinuity {
  /// One finding for the item `SOURCE/cluster` of `set`: its base backup's label
  /// and WAL to its end are archived, and the archive is continuous from the
  /// oldest kept base backup on (each gap named).
  public static func findings(
    _ repository: Repository, source: String, set: BackupSet, sets: [BackupSet]
  ) -> [VerifyReport.Finding] {
    let item = "\(source)/cluster"
    func finding(_ passed: Bool, _ detail: String) -> VerifyReport.Finding {
      .init(item: item, set: set.shortID, check: "wal", passed: passed, detail: detail)
    }
    let state: WALArchiveState
    do {
      state = try WALArchiveState.read(repository, source: source)
    } catch {
      return [finding(false, "the WAL archive cannot be read: \(error: error)")]
    }
    let windows = PointInTimeRestore.windows(state, sets: sets)
    var found: [VerifyReport.Finding] = []
    guard let own = windows.first(where: { $0.base.set.id == set.id }) else {
      return [
        finding(
          false,
          "no archived .backup label matches this base backup: its WAL was not archived, so it cannot be recovered"
        )
      ]
    }
    found.append(
      own.chain.complete
        ? finding(
          true,
          "the WAL to the base backup's end (LSN \(LSN.format(own.base.label.stopLSN))) is archived")
        : finding(
          false,
          "the WAL to the base backup's end (LSN \(LSN.format(own.base.label.stopLSN))) is not all archived: "
            + "missing \(own.chain.gaps.first ?? "its last segments")"))
    if let oldest = windows.first {
      let chain = oldest.chain
      let newest = chain.expected.last.map(\.name) ?? "-"
      found.append(
        chain.missing.isEmpty
          ? finding(
            true,
            "WAL continuous from the oldest base backup (set \(oldest.base.set.shortID)) to \(newest): "
              + "\(Formatting.count(chain.expected.count, "segment"))")
          : finding(
            false,
            "WAL from the oldest base backup (set \(oldest.base.set.shortID)) to \(newest) misses "
              + chain.gaps.joined(separator: ", ")
              + "; recovery cannot pass a gap: take a new base backup (docs/operations.md)"))
    }
    return found
  }
}
