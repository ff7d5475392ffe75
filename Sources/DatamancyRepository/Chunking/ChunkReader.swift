import Foundation

/// Cuts a `ByteSource` into chunks, a batch at a time, without copying chunk data.
///
/// The buffer holds one batch plus one maximal chunk. Each call refills it and
/// returns the ranges of the chunks it could cut; bytes that may still belong to a
/// longer chunk stay for the next call. Memory is bounded by the buffer, however
/// long the stream.
final class ChunkReader {
  private let source: ByteSource
  private let chunker: Chunker
  private(set) var buffer: [UInt8]
  private var start = 0
  private var end = 0
  private var finished = false
  /// Bytes read from the source so far.
  private(set) var bytesRead = 0

  init(source: ByteSource, chunker: Chunker, batchSize: Int) {
    self.source = source
    self.chunker = chunker
    buffer = [UInt8](repeating: 0, count: batchSize + chunker.parameters.maxSize)
  }

  /// The next chunks, as ranges of `buffer` valid until the next call; nil at the end.
  func nextBatch() throws -> [Range<Int>]? {
    if start > 0 {
      buffer.withUnsafeMutableBytes { raw in
        if end > start { raw.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: end - start) }
      }
      end -= start
      start = 0
    }
    while !finished && end < buffer.count {
      let n = try buffer.withUnsafeMutableBytes { raw in
        try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[end...]))
      }
      if n == 0 { finished = true } else { end += n; bytesRead += n }
    }
    if start == end && finished { return nil }
    var ranges: [Range<Int>] = []
    let maxSize = chunker.parameters.maxSize
    buffer.withUnsafeBufferPointer { bytes in
      while start < end && (end - start >= maxSize || finished) {
        let length = chunker.cut(bytes.baseAddress! + start, count: end - start)
        ranges.append(start..<start + length)
        start += length
      }
    }
    return ranges
  }
}
