import DatamancyPOSIX
import Foundation

/// An item's bytes read back out of a repository, as a `ByteStream`: a thread
/// streams the chunks (authenticated, decompressed) into a small queue, and reads
/// take from it. Memory stays bounded by the queue and the streamer's batches.
final class StoredItemStream: ByteStream {
  private let queue = Channel<Data>(capacity: 4)
  private let failure = Locked<(any Error)?>(nil)
  private let done = DispatchSemaphore(value: 0)
  private var current = Data()
  private var position = 0

  init(repository: Repository, chunks: [ChunkID]) {
    let (queue, failure, done) = (self.queue, self.failure, self.done)
    Thread.detachNewThread {
      defer {
        queue.close()
        done.signal()
      }
      do {
        try ChunkStreamer(repository: repository).stream(chunks) { data in
          guard queue.put(data) else { throw CancellationError() }
        }
      } catch is CancellationError {
      } catch {
        failure.value = error
      }
    }
  }

  /// Stops the streaming thread if the reader gives up early.
  deinit {
    queue.close()
    done.wait()
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    while position >= current.count {
      guard let next = queue.take() else {
        if let error = failure.value { throw error }
        return 0
      }
      current = next
      position = 0
    }
    let n = min(buffer.count, current.count - position)
    current.withUnsafeBytes { bytes in
      buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + position, byteCount: n)
    }
    position += n
    return n
  }
}
