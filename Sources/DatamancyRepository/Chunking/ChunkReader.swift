import Crypto
import DatamancyPOSIX
import Foundation

/// Cuts a `ByteStream` into chunks, a batch at a time, into recycled buffers, and
/// names each chunk as its bytes arrive.
///
/// Each buffer holds one batch plus one maximal chunk. A call fills the given
/// buffer, starting with the bytes of the chunk the previous batch had not finished
/// (copied from the previous buffer, which is only read, so its chunks may still be
/// in use elsewhere), and records the chunks it completes with their ids.
///
/// Every read's bytes are scanned for a chunk end and fed to the chunk's HMAC at
/// once, while they are still in the cache the read just put them in. Looking at a
/// whole batch later, after megabytes more had been read, went to memory for each
/// pass and slowed the dump feeding us, which shares two cores with us and the
/// PostgreSQL backend (bench/reference/consumer.c measures the orders; see
/// docs/benchmarks.md).
// Sendable by hand-off: `BackupSession.store` gives it to its one reading thread
// and does not return before that thread ends (`readerDone`), so no two threads
// ever use it at once.
final class ChunkReader: @unchecked Sendable {
  private let source: any ByteStream
  private let chunker: Chunker
  private let idKey: SymmetricKey
  /// The buffer of the last batch and the unfinished chunk's bytes `start..<end` in it.
  private var previous: ChunkBuffer?
  private var start = 0
  private var end = 0
  private var finished = false
  /// The unfinished chunk: the chunker's search, and the HMAC of its first `hashed` bytes.
  private var progress = Chunker.Progress()
  private var mac: HMAC<SHA256>
  private var hashed = 0

  /// Bytes per buffer: one batch plus one maximal chunk.
  let bufferSize: Int

  init(source: any ByteStream, chunker: Chunker, idKey: SymmetricKey, batchSize: Int) {
    self.source = source
    self.chunker = chunker
    self.idKey = idKey
    mac = HMAC(key: idKey)
    bufferSize = batchSize + chunker.parameters.maxSize
  }

  /// The most chunks one batch can hold: every chunk but a stream's last is at
  /// least the chunker's minimum size.
  var maxChunks: Int { bufferSize / chunker.parameters.minSize + 1 }

  /// Fills `buffer` with the next chunks; false at the end of the stream.
  /// `onChunk` is called with each chunk's index in the batch, range and id as
  /// soon as the chunk is complete.
  func nextBatch(
    into buffer: ChunkBuffer, onChunk: (Int, Range<Int>, ChunkID) -> Void = { _, _, _ in }
  ) throws -> Bool {
    precondition(buffer.bytes.count >= bufferSize)
    let carried = end - start
    if let previous, carried > 0 {
      // memmove semantics: `buffer` may be `previous` itself when it was recycled.
      buffer.bytes.baseAddress!.copyMemory(
        from: UnsafeRawPointer(previous.bytes.baseAddress! + start), byteCount: carried)
    }
    previous = buffer
    start = 0
    end = carried
    buffer.ranges.removeAll(keepingCapacity: true)
    buffer.ids.removeAll(keepingCapacity: true)
    let base = UnsafePointer(buffer.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
    // A full buffer holds at least a batch of finished chunks: the unfinished one
    // is shorter than a maximal chunk.
    while !finished && end < bufferSize {
      let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer.bytes[end..<bufferSize]))
      if n == 0 { finished = true } else { end += n }
      cutArrived(base, into: buffer, onChunk)
    }
    if finished && start < end {
      complete(base, length: end - start, into: buffer, onChunk)
    }
    return !buffer.ranges.isEmpty
  }

  /// Ends and names every chunk that ends before `end`, and hashes the rest.
  private func cutArrived(
    _ base: UnsafePointer<UInt8>, into buffer: ChunkBuffer, _ onChunk: (Int, Range<Int>, ChunkID) -> Void
  ) {
    while let length = chunker.advance(&progress, base + start, available: end - start) {
      complete(base, length: length, into: buffer, onChunk)
    }
    mac.update(data: UnsafeRawBufferPointer(start: base + start + hashed, count: end - start - hashed))
    hashed = end - start
  }

  /// Records the chunk of `length` bytes at `start` and begins the next.
  private func complete(
    _ base: UnsafePointer<UInt8>, length: Int, into buffer: ChunkBuffer,
    _ onChunk: (Int, Range<Int>, ChunkID) -> Void
  ) {
    mac.update(data: UnsafeRawBufferPointer(start: base + start + hashed, count: length - hashed))
    let id = mac.finalize().withUnsafeBytes { ChunkID(bytes: $0) }
    onChunk(buffer.ids.count, start..<start + length, id)
    buffer.ids.append(id)
    buffer.ranges.append(start..<start + length)
    start += length
    mac = HMAC(key: idKey)
    hashed = 0
    progress = Chunker.Progress()
  }
}
