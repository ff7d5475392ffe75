import DatamancyPOSIX
import Foundation

extension BackupSession {
  /// Stores bytes already in memory (a small file, a tree object), cut by the
  /// repository's chunker exactly as a stream of the same bytes would be, so a
  /// file has the same chunk ids whichever way it was read.
  ///
  /// Runs on the calling thread; many threads may call it at once (a folder's
  /// small files are read in parallel).
  public func store(bytes: UnsafeRawBufferPointer) throws -> StoredStream {
    var result = StoredStream(chunks: [], rawBytes: bytes.count, storedBytes: 0)
    guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return result }
    var start = 0
    while start < bytes.count {
      let length = repository.chunker.cut(base + start, count: bytes.count - start)
      let chunk = UnsafeRawBufferPointer(rebasing: bytes[start..<start + length])
      let id = repository.master.id(of: chunk)
      result.chunks.append(id)
      if !isKnown(id) {
        let sealed = try sealers.use { try $0.seal(chunk, id: id, master: repository.master) }
        result.storedBytes += try add(sealed, id: id, rawLength: length)
      }
      start += length
    }
    return result
  }

  /// Stores a tree object; returns its chunks.
  public func store(_ tree: Tree) throws -> StoredStream {
    try TreeCoding.encode(tree).withUnsafeBytes { try store(bytes: $0) }
  }
}
