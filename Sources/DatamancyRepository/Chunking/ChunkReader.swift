import Foundation

/// Cuts a `ByteSource` into chunks, a batch at a time, into recycled buffers.
///
/// Each buffer holds one batch plus one maximal chunk. A call fills the given
/// buffer, starting with the bytes the previous batch could not cut yet (they may
/// belong to a longer chunk), and records the chunks it cut. The previous buffer
/// is only read (its uncut tail), so its chunks may still be in use elsewhere.
final class ChunkReader {
  private let source: ByteSource
  private let chunker: Chunker
  /// The buffer of the last batch and its uncut tail `start..<end`.
  private var previous: ChunkBuffer?
  private var start = 0
  private var end = 0
  private var finished = false

  /// Bytes per buffer: one batch plus one maximal chunk.
  let bufferSize: Int

  init(source: ByteSource, chunker: Chunker, batchSize: Int) {
    self.source = source
    self.chunker = chunker
    bufferSize = batchSize + chunker.parameters.maxSize
  }

  /// Fills `buffer` with the next chunks; false at the end of the stream.
  func nextBatch(into buffer: ChunkBuffer) throws -> Bool {
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
    while !finished && end < bufferSize {
      let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer.bytes[end..<bufferSize]))
      if n == 0 { finished = true } else { end += n }
    }
    buffer.ranges.removeAll(keepingCapacity: true)
    if start == end && finished { return false }
    let maxSize = chunker.parameters.maxSize
    let base = UnsafePointer(buffer.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
    while start < end && (end - start >= maxSize || finished) {
      let length = chunker.cut(base + start, count: end - start)
      buffer.ranges.append(start..<start + length)
      start += length
    }
    return true
  }
}
