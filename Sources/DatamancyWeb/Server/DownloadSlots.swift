import DatamancyPOSIX
import Foundation

/// How many downloads run at once, in all and per user. Each one holds a thread
/// that reads the repository and its window of chunks in memory, so the count,
/// not the clients, bounds `serve`'s memory.
final class DownloadSlots: Sendable {
  /// Downloads at once, in all.
  let total: Int
  /// Downloads at once by one user.
  let perUser: Int
  private let running = Locked<[String: Int]>([:])

  init(total: Int = 4, perUser: Int = 2) {
    self.total = total
    self.perUser = perUser
  }

  /// Takes a slot for `user`; false when every slot, or every one of the user's,
  /// is taken.
  func take(_ user: String) -> Bool {
    running.withLock { running in
      guard running.values.reduce(0, +) < total, running[user, default: 0] < perUser else { return false }
      running[user, default: 0] += 1
      return true
    }
  }

  /// Gives back a slot `take` gave; true when it was the last one running.
  @discardableResult
  func give(_ user: String) -> Bool {
    running.withLock { running in
      let left = running[user, default: 1] - 1
      running[user] = left > 0 ? left : nil
      return running.isEmpty
    }
  }
}

/// One taken slot, given back once: when the download ends, or when its response
/// is dropped unsent (a HEAD request, a client gone before the body began).
final class DownloadSlot: Sendable {
  private let slots: DownloadSlots
  private let user: String
  private let given = Locked(false)

  init(slots: DownloadSlots, user: String) {
    self.slots = slots
    self.user = user
  }

  func give() {
    guard
      given.withLock({ given in
        defer { given = true }; return !given
      })
    else { return }
    // The last download gone: its chunk windows go back to the kernel.
    if slots.give(user) { MemoryTuning.release() }
  }

  deinit { give() }
}
