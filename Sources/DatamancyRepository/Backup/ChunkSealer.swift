import Foundation

/// Turns a chunk's plaintext into its sealed form (`flag | payload`, encrypted with
/// the chunk id as associated data), reusing its compression context and buffer.
/// One per worker thread; taken from and returned to a `SealerPool`.
final class ChunkSealer {
  private let compressor: ZstdCompressor?
  private var scratch: [UInt8] = []

  init(compression: Compression) {
    if case .zstd(let level) = compression {
      compressor = ZstdCompressor(level: level)
    } else {
      compressor = nil
    }
  }

  func seal(_ chunk: UnsafeRawBufferPointer, id: ChunkID, master: MasterKey) throws -> Data {
    let needed = 1 + max(chunk.count, compressor == nil ? 0 : ZstdCompressor.bound(chunk.count))
    if scratch.count < needed { scratch = [UInt8](repeating: 0, count: needed) }
    return try scratch.withUnsafeMutableBytes { out in
      var length = 1 + chunk.count
      if let compressor,
        let compressed = compressor.compress(chunk, into: UnsafeMutableRawBufferPointer(rebasing: out[1...]))
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
}
