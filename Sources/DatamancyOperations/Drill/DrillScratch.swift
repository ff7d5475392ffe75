import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// A throwaway place a drill restores one item into: a new database on the
/// source's server, a private `redis-server` or `slapd`, or a folder. It never
/// touches the source itself.
public protocol DrillScratch: AnyObject {
  /// What and where, for the report.
  var description: String { get }
  /// Makes the empty target; refuses one that already exists.
  func prepare() throws
  /// Restores the item into it.
  func restore(_ item: BackupItem, of set: BackupSet) throws
  /// Compares the restored copy with what was recorded at backup.
  func check(_ item: BackupItem) throws -> [DrillCheck]
  /// Removes everything `prepare` made; safe to call after any failure.
  func cleanup() throws
}

/// A restored copy's fingerprints against those recorded at backup.
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
    let known = Set(recorded.map(\.table))
    for extra in found where !known.contains(extra.table) {
      checks.append(
        DrillCheck(
          table: extra.table, expectedRows: nil, foundRows: extra.rows, passed: false,
          detail: "in the restored copy but not in the backup's fingerprints"))
    }
    return checks
  }
}
