import DatamancyRepository
import DatamancySources
import Foundation

/// Finds paths matching a glob in folder items. A pattern without a slash
/// matches an entry's name, one with a slash its whole path inside the item
/// (`*` then stops at slashes). A tree already searched (an unchanged folder in
/// an older set) gives its matches again without being read twice.
public final class TreeSearch {
  public let repository: Repository
  let pattern: PathPattern
  private var cache: [[ChunkID]: [(path: [UInt8], entry: TreeEntry)]] = [:]

  public init(repository: Repository, pattern: String) {
    self.repository = repository
    var pattern = pattern
    while pattern.hasPrefix("/") { pattern.removeFirst() }
    self.pattern = PathPattern(pattern)
  }

  /// Matches in the item, paths relative to its folder, in name order.
  public func matches(in item: BackupItem, of set: BackupSet) throws -> [(path: [UInt8], entry: TreeEntry)] {
    try search(try repository.rootTree(of: item, in: set), prefix: [])
  }

  /// Matches under one tree, with paths relative to it; `prefix` is the tree's
  /// path in the item, which only a pattern with a slash looks at.
  private func search(_ chunks: [ChunkID], prefix: [UInt8]) throws -> [(path: [UInt8], entry: TreeEntry)] {
    let cacheable = !pattern.text.contains("/")
    if cacheable, let known = cache[chunks] { return known }
    var found: [(path: [UInt8], entry: TreeEntry)] = []
    for entry in try repository.readTree(chunks).entries where entry.name != [46] {
      let path = prefix + entry.name
      if pattern.matches(name: entry.name, path: path) { found.append((entry.name, entry)) }
      if entry.kind == .directory, !entry.chunks.isEmpty {
        let slash = [UInt8(ascii: "/")]
        found += try search(entry.chunks, prefix: path + slash).map {
          (entry.name + slash + $0.path, $0.entry)
        }
      }
    }
    if cacheable { cache[chunks] = found }
    return found
  }
}
