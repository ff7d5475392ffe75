import DatamancyRepository
import Foundation

extension Verifier {
  /// Each item's newest set, with the items to check in it.
  public static func newestCopies(_ history: [BackupSet]) -> [(BackupSet, [String]?)] {
    var newest: [String: Int] = [:]
    for (index, set) in history.enumerated() { for item in set.items { newest[item.name] = index } }
    return Dictionary(grouping: newest, by: \.value).sorted { $0.key < $1.key }.map { index, pairs in
      (history[index], pairs.map(\.key).sorted())
    }
  }
}
