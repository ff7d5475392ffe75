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
