import Foundation

/// Turns a chunk's plaintext into its sealed form (`flag | payload`, encrypted with
/// the chunk id as associated data), reusing its compression context and buffer.
/// One per worker thread; taken from and returned to a `Pool`.
final class ChunkSealer {
  private let compressor: ZstdCompressor?
  /// `flag | payload` of one chunk, allocated once at the largest chunk's size
  /// and never zero-filled: a chunk that does not shrink is stored as it is, so
  /// compressed output longer than the chunk is never needed.
  private let scratch: UnsafeMutableRawBufferPointer

  init(compression: Compression, maxChunk: Int) {
    compressor = compression.makeCompressor()
    scratch = .allocate(byteCount: 1 + maxChunk, alignment: 64)
  }

  deinit { scratch.deallocate() }

  /// The last chunk went at a faster level because the sealers were behind.
  var hurried: Bool { compressor?.hurried ?? false }

  /// `behind`: the sealers are behind the source (`SealingPace`, `ZstdCompressor.compress`).
  func seal(_ chunk: UnsafeRawBufferPointer, id: ChunkID, master: MasterKey, behind: Bool = false) throws
    -> Data
  {
    precondition(chunk.count < scratch.count)
    let out = scratch
    var length = 1 + chunk.count
    if let compressor,
      let compressed = compressor.compress(
        chunk, into: UnsafeMutableRawBufferPointer(rebasing: out[1..<length]), behind: behind)
    {
      out[0] = 1
      length = 1 + compressed
    } else {
      out[0] = 0
      out.baseAddress!.advanced(by: 1).copyMemory(from: chunk.baseAddress!, byteCount: chunk.count)
    }
    return try Sealing.seal(
      UnsafeRawBufferPointer(rebasing: out[0..<length]), key: master.encryption, context: id.bytes)
  }
}
