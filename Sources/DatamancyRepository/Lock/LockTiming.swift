import Foundation

/// How often a lock is refreshed, when its holder gives up, and when others may
/// call it stale.
///
/// Staleness is measured by the storage's clock: a lock is stale when the lock
/// file another process just wrote is more than `staleAfter` newer than it (both
/// times are the storage's: a file's mtime, an object's Last-Modified), so two
/// hosts whose clocks disagree never misjudge each other's locks. A holder that
/// cannot refresh its lock for `lostAfter` (measured on its own monotonic clock)
/// stops before anyone could consider the lock stale: `lostAfter` is half of
/// `staleAfter`, which leaves room for a storage clock that runs fast.
public struct LockTiming: Sendable {
  /// A holder rewrites its lock this often.
  public var refreshEvery: TimeInterval
  /// After a failed refresh, the next attempt comes this much later.
  public var retryEvery: TimeInterval
  /// A holder whose lock was last refreshed this long ago gives up the work.
  public var lostAfter: TimeInterval
  /// A lock not rewritten for this long (by the storage's clock) is stale.
  public var staleAfter: TimeInterval

  public init(
    refreshEvery: TimeInterval, retryEvery: TimeInterval, lostAfter: TimeInterval, staleAfter: TimeInterval
  ) {
    self.refreshEvery = refreshEvery
    self.retryEvery = retryEvery
    self.lostAfter = lostAfter
    self.staleAfter = staleAfter
  }

  public static let standard = LockTiming(
    refreshEvery: 5 * 60, retryEvery: 30, lostAfter: 15 * 60, staleAfter: 30 * 60)
}
