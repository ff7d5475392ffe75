import Foundation

/// Packs chunks that are already sealed (moved out of other packs, as prune and
/// repair do) into new pack files of the repository's pack size, storing each as
/// it fills. The caller writes an index naming `written` once it is done.
struct SealedPackWriter {
  let repository: Repository
  private var buffer: PackBuffer
  /// The packs stored so far, with their entries.
  private(set) var written: [(id: String, entries: [PackEntry])] = []

  init(repository: Repository) {
    self.repository = repository
    buffer = PackBuffer(capacity: repository.config.packSize + repository.config.chunker.maxSize)
  }

  /// Adds one sealed chunk; stores the pack once it reaches the pack size.
  mutating func append(sealed: Data, entry: PackEntry) throws {
    buffer.append(sealed: sealed, id: entry.id, rawLength: Int(entry.rawLength))
    if buffer.count >= repository.config.packSize { try close() }
  }

  /// Stores the pack being filled, if any.
  mutating func close() throws {
    guard !buffer.isEmpty else { return }
    let closed = try buffer.close(key: repository.master.encryption)
    try storageCall { try repository.storage.put(PackFormat.name(of: closed.id), data: closed.file) }
    written.append((closed.id, closed.entries))
  }
}
