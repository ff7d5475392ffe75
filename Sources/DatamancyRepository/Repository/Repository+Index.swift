import DatamancyStorage
import Foundation

extension Repository {
  /// Reads every index file into memory.
  public func loadIndex() throws {
    var fresh = RepositoryIndex()
    for name in try storageCall({ try storage.list(prefix: "index/") }).sorted() {
      let plain = try getSealed(name, context: Sealing.Context.index)
      guard let packs = try? IndexFile.decode(plain) else {
        throw RepositoryError.damaged(file: name, reason: "it is not a readable index")
      }
      for pack in packs { fresh.add(pack: pack.id, entries: pack.entries) }
      fresh.files.append(name)
    }
    index = fresh
  }

  /// Writes one index file for `packs` and adds them to the in-memory index.
  @discardableResult
  func writeIndex(_ packs: [(id: String, entries: [PackEntry])]) throws -> String {
    let name = try putSealed(IndexFile.encode(packs), folder: "index", context: Sealing.Context.index)
    for pack in packs { index.add(pack: pack.id, entries: pack.entries) }
    return name
  }
}
