import Foundation

/// Why an item could not be drilled. The drill records it as the item's failure.
public enum DrillError: Error, CustomStringConvertible {
  /// The item failed at backup: there is nothing to restore.
  case failedAtBackup(item: String)
  /// No scratch target can be made for the item.
  case noTarget(item: String, reason: String)
  /// The scratch database name is taken; the drill never touches an existing one.
  case scratchExists(database: String)
  /// The restored export holds nothing to compare.
  case emptyExport(item: String)

  public var description: String {
    switch self {
    case .failedAtBackup(let item): return "\(item) failed at backup; nothing to drill"
    case .noTarget(let item, let reason): return "\(item) cannot be drilled: \(reason)"
    case .scratchExists(let database):
      return "a database named \(database) already exists; the drill never touches it"
    case .emptyExport(let item): return "the export of \(item) holds no entry"
    }
  }
}
