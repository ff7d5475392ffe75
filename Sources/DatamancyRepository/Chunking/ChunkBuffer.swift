/// A batch of consecutive chunks in one fixed block of memory: the unit that
/// moves from the reading thread to the sealing threads. Buffers are recycled,
/// so a backup holds a fixed number of them however long its stream is.
// @unchecked: one thread at a time owns a buffer — the reader fills it, the sealers
// read their own chunks' ranges after it is queued, and it is reused only once
// `BackupSession` has taken it back through the `free` channel.
final class ChunkBuffer: @unchecked Sendable {
  let bytes: UnsafeMutableRawBufferPointer
  /// The chunks of the current batch, as ranges of `bytes`.
  var ranges: [Range<Int>] = []
  /// Their ids, computed as their bytes arrived.
  var ids: [ChunkID] = []

  init(capacity: Int) {
    bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64)
  }

  deinit { bytes.deallocate() }
}
