import DatamancyPOSIX
import Foundation

/// Stores closed packs on up to `connections` threads at once, so that sealing
/// goes on while packs travel (on S3 each upload waits on the network, on a local
/// folder each `fsync`). A closed pack's bytes are already written, to a temporary
/// file on a local folder, in memory for object storage.
///
/// Commit order: the session calls
/// `waitForAll` before it writes an index file, so an index never names a pack
/// that is not stored yet. A failed upload is thrown by the next call; the
/// session then fails and no set is saved, so nothing names the lost pack.
final class PackUploader: @unchecked Sendable {
  private let slots: DispatchSemaphore
  private let group = DispatchGroup()
  private let failure = Locked<(any Error)?>(nil)

  init(connections: Int) {
    slots = DispatchSemaphore(value: max(1, connections))
  }

  /// Starts storing `pack`; waits while every connection is busy.
  func upload(_ pack: ClosedPack) throws {
    if let error = failure.value { throw error }
    slots.wait()
    group.enter()
    let (slots, group, failure) = (self.slots, self.group, self.failure)
    Thread.detachNewThread {
      defer {
        slots.signal()
        group.leave()
      }
      do {
        try pack.store()
      } catch {
        failure.withLock { if $0 == nil { $0 = error } }
      }
    }
  }

  /// Waits for every upload started; throws the first failure.
  func waitForAll() throws {
    group.wait()
    if let error = failure.value { throw error }
  }
}
