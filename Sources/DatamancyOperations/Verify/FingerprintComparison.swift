import DatamancyRepository
import Foundation

/// A copy's fingerprints (restored by a drill, or recomputed from the stored
/// stream by verify) against those recorded at backup, table by table.
public enum FingerprintComparison {
  public static func compare(recorded: [TableFingerprint]?, found: [TableFingerprint]) -> [DrillCheck] {
    guard let recorded else {
      return [
        DrillCheck(
          table: "*", expectedRows: nil, foundRows: nil, passed: false,
          detail: "no fingerprints were recorded at backup, so the copy cannot be compared")
      ]
    }
    let foundByTable = Dictionary(found.map { ($0.table, $0) }, uniquingKeysWith: { first, _ in first })
    var checks = recorded.map { expected -> DrillCheck in
      guard let actual = foundByTable[expected.table] else {
        return DrillCheck(
          table: expected.table, expectedRows: expected.rows, foundRows: nil, passed: false,
          detail: "missing from the restored copy")
      }
      let rowsMatch = actual.rows == expected.rows
      let sumsMatch = actual.checksum == expected.checksum
      let detail =
        !rowsMatch
        ? "\(expected.rows) rows at backup, \(actual.rows) restored"
        : sumsMatch ? "rows and content checksum equal" : "same row count, but the content checksum differs"
      return DrillCheck(
        table: expected.table, expectedRows: expected.rows, foundRows: actual.rows,
        passed: rowsMatch && sumsMatch, detail: detail)
    }
    // A table the copy has and the recording lacks fails, unless it is empty: no
    // data of the backup can be missing from it (the `mysql` database's log
    // tables, in sets fingerprinted before they were counted as tables).
    let known = Set(recorded.map(\.table))
    for extra in found where !known.contains(extra.table) {
      let empty = extra.rows == 0
      checks.append(
        DrillCheck(
          table: extra.table, expectedRows: nil, foundRows: extra.rows, passed: empty,
          detail: empty
            ? "empty in the copy, not in the backup's fingerprints"
            : "in the restored copy but not in the backup's fingerprints"))
    }
    return checks
  }
}
