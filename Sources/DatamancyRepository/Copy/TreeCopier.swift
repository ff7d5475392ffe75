import Foundation

/// Copies a file tree into another repository: each file's bytes are read out
/// of the source (authenticated) and stored into the target by its own chunker
/// and keys, and every tree is rebuilt with the new chunk ids. A directory seen
/// before in this copy is not copied twice.
struct TreeCopier {
  let source: Repository
  let session: BackupSession
  private var copied: [[ChunkID]: [ChunkID]] = [:]

  init(source: Repository, session: BackupSession) {
    self.source = source
    self.session = session
  }

  struct Result {
    var chunks: [ChunkID]
    var rawBytes = 0
    var storedBytes = 0
  }

  mutating func copy(_ root: [ChunkID]) throws -> Result {
    var result = Result(chunks: [])
    result.chunks = try copyTree(root, into: &result)
    return result
  }

  private mutating func copyTree(_ chunks: [ChunkID], into result: inout Result) throws -> [ChunkID] {
    if let done = copied[chunks] { return done }
    var tree = try source.readTree(chunks)
    for i in tree.entries.indices {
      let entry = tree.entries[i]
      if entry.kind == .directory && !entry.chunks.isEmpty {
        tree.entries[i].chunks = try copyTree(entry.chunks, into: &result)
      } else if entry.kind == .file && !entry.chunks.isEmpty {
        let stored = try session.store(StoredItemStream(repository: source, chunks: entry.chunks))
        guard UInt64(stored.rawBytes) == entry.storedLength else {
          throw RepositoryError.damaged(
            file: "tree \(chunks[0].hex.prefix(16))",
            reason: "\(entry.displayName) read back as \(stored.rawBytes) bytes, not \(entry.storedLength)")
        }
        tree.entries[i].chunks = stored.chunks
        result.rawBytes += stored.rawBytes
        result.storedBytes += stored.storedBytes
      }
    }
    let stored = try session.store(tree)
    result.storedBytes += stored.storedBytes
    copied[chunks] = stored.chunks
    return stored.chunks
  }
}
