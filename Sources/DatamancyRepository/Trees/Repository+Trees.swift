import DatamancyPOSIX
import Foundation

extension Repository {
  /// Reads and decodes one tree object; a tree that fails to decode is damage.
  public func readTree(_ chunks: [ChunkID]) throws -> Tree {
    var bytes: [UInt8] = []
    for result in ChunkBatchReader(repository: self).read(chunks, decompressors: treeDecompressors) {
      bytes.append(contentsOf: try result.get())
    }
    do {
      return try TreeCoding.decode(bytes)
    } catch {
      throw RepositoryError.damaged(
        file: "tree \(chunks.first?.hex.prefix(16) ?? "(empty)")", reason: "\(error)")
    }
  }

  /// A tree item's root tree.
  public func rootTree(of item: BackupItem, in set: BackupSet) throws -> [ChunkID] {
    guard let hex = item.tree else {
      throw RepositoryError.damaged(
        file: "snapshots/\(set.id)", reason: "tree item \(item.name) names no tree")
    }
    return try hex.map {
      guard let id = ChunkID(hex: $0) else {
        throw RepositoryError.damaged(
          file: "snapshots/\(set.id)", reason: "item \(item.name) names a malformed tree id")
      }
      return id
    }
  }

  /// Every chunk an item needs: a stream's chunks, or a tree's objects and its
  /// files' chunks, walked. `walked` holds trees already walked (an unchanged
  /// directory is one tree in every set), so walking many sets reads each once.
  /// With `salvage`, trees that cannot be read are skipped (an item `repair`
  /// marked failed keeps what survives) instead of failing the walk.
  public func referencedChunks(
    of item: BackupItem, in set: BackupSet, into used: inout Set<ChunkID>, walked: inout Set<[ChunkID]>,
    salvage: Bool = false
  ) throws {
    guard item.format == .tree else {
      used.formUnion(try ChunkStreamer.ids(of: item, set: set))
      return
    }
    guard item.status == .ok || item.tree != nil else { return }
    var pending = [try rootTree(of: item, in: set)]
    while let chunks = pending.popLast() {
      guard walked.insert(chunks).inserted else { continue }
      used.formUnion(chunks)
      let tree: Tree
      do {
        tree = try readTree(chunks)
      } catch {
        if salvage { continue }
        throw error
      }
      for entry in tree.entries {
        // The root's own entry (".") names no tree.
        if entry.kind == .directory {
          if !entry.chunks.isEmpty { pending.append(entry.chunks) }
        } else {
          used.formUnion(entry.chunks)
        }
      }
    }
  }

  /// Every chunk an item needs, in a list (see `referencedChunks(of:in:into:walked:)`).
  public func referencedChunks(of item: BackupItem, in set: BackupSet, salvage: Bool = false) throws
    -> [ChunkID]
  {
    guard item.format == .tree else { return try ChunkStreamer.ids(of: item, set: set) }
    var used = Set<ChunkID>()
    var walked = Set<[ChunkID]>()
    try referencedChunks(of: item, in: set, into: &used, walked: &walked, salvage: salvage)
    return Array(used)
  }
}

extension Repository {
  /// Reads a few chunks on the calling thread (a small file, a tree), each
  /// authenticated and checked against its id. Chunks of one pack at most `gap`
  /// bytes apart (`ChunkBatchReader`'s gap unless given) are fetched by one
  /// read, the bytes between them included.
  public func readChunks(_ ids: [ChunkID], gap: Int? = nil) throws -> [Data] {
    var reader = ChunkBatchReader(repository: self)
    if let gap { reader.gap = gap }
    return try reader.read(ids, decompressors: treeDecompressors).map { try $0.get() }
  }

  /// The chunk ids `stream`'s bytes would have if stored here (a restored file,
  /// compared with its tree entry), computed without storing anything.
  public func chunkIDs(of stream: any ByteStream) throws -> [ChunkID] {
    let reader = ChunkReader(source: stream, chunker: chunker, idKey: master.chunkID, batchSize: 1 << 20)
    let buffer = ChunkBuffer(capacity: reader.bufferSize)
    var ids: [ChunkID] = []
    while try reader.nextBatch(into: buffer) { ids.append(contentsOf: buffer.ids) }
    return ids
  }
}
