import Foundation

/// Packs chunks that are already sealed (moved out of other packs, as prune and
/// repair do) into new pack files of the repository's pack size, storing each as
/// it fills. The caller writes an index naming `written` once it is done.
struct SealedPackWriter {
  let repository: Repository
  private var pack: PackBuilder
  /// The packs stored so far, with their entries.
  private(set) var written: [(id: String, entries: [PackEntry])] = []

  init(repository: Repository) {
    self.repository = repository
    pack = PackBuilder(storage: repository.storage)
  }

  /// Adds one sealed chunk; stores the pack once it reaches the pack size.
  mutating func append(sealed: Data, entry: PackEntry) throws {
    try pack.append(sealed: sealed, id: entry.id, rawLength: Int(entry.rawLength))
    if pack.count >= repository.config.packSize { try close() }
  }

  /// Stores the pack being filled, if any.
  mutating func close() throws {
    guard let closed = try pack.close(key: repository.master.encryption) else { return }
    try closed.store()
    written.append((closed.id, closed.entries))
  }
}
