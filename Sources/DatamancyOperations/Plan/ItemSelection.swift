import DatamancyRepository
import Foundation

/// Picks the items a command names (all good ones when none is named).
public enum ItemSelection {
  public static func pick(_ names: [String], from set: BackupSet) throws -> [BackupItem] {
    if names.isEmpty { return set.items.filter { $0.status == .ok } }
    return try names.map { name in
      guard let item = set.items.first(where: { $0.name == name }) else {
        throw RepositoryError.noSuchItem(set: set.shortID, item: name)
      }
      guard item.status == .ok else {
        throw OperationError("item \(name) failed in set \(set.shortID): \(item.error ?? "no data")")
      }
      return item
    }
  }
}
