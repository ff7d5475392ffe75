import DatamancyStorage
import Foundation

extension Repository {
  /// Reads every index file into memory, and lists the packs once: an indexed
  /// pack that is missing or shorter than its indexed entries need is marked
  /// unusable (`index.unusablePacks`), so no chunk is served from it and a backup
  /// stores its chunks again. Returns that listing: every stored pack's size.
  @discardableResult
  public func loadIndex() throws -> [String: Int] {
    let stored = try packSizes()
    var fresh = RepositoryIndex()
    for name in try storageCall({ try storage.list(prefix: "index/") }).sorted() {
      for pack in try readIndexFile(name) {
        let expected = PackFormat.fileSize(of: pack.entries)
        fresh.add(
          pack: pack.id, entries: pack.entries,
          unusable: Self.packProblem(size: stored[pack.id], expected: expected))
      }
      fresh.files.append(name)
    }
    index = fresh
    return stored
  }

  /// Every stored pack's id and size, from one listing.
  func packSizes() throws -> [String: Int] {
    var sizes: [String: Int] = [:]
    for object in try storageCall({ try storage.listObjects(prefix: "data/") }) {
      sizes[(object.name as NSString).lastPathComponent] = object.size
    }
    return sizes
  }

  /// Why a pack of `size` bytes (nil: not stored) cannot serve indexed entries
  /// that imply at least `expected` bytes, or nil when it can. Larger is fine: an
  /// index may name only some of a pack's chunks (prune keeps a chunk stored twice
  /// in its first pack's entry).
  static func packProblem(size: Int?, expected: Int) -> String? {
    guard let size else { return "indexed pack is missing" }
    guard size >= expected else { return "pack is truncated: \(size) bytes, its index needs \(expected)" }
    return nil
  }

  /// Reads and decodes one index file.
  func readIndexFile(_ name: String) throws -> [(id: String, entries: [PackEntry])] {
    let plain = try getSealed(name, context: Sealing.Context.index)
    guard let packs = try? IndexFile.decode(plain) else {
      throw RepositoryError.damaged(file: name, reason: "it is not a readable index")
    }
    return packs
  }

  /// Writes one index file for `packs` and adds them to the in-memory index.
  @discardableResult
  func writeIndex(_ packs: [(id: String, entries: [PackEntry])]) throws -> String {
    let name = try putSealed(IndexFile.encode(packs), folder: "index", context: Sealing.Context.index)
    for pack in packs { index.add(pack: pack.id, entries: pack.entries) }
    return name
  }
}
