import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import Foundation
import Logging

/// The newest snapshot, renewed in the background when older than `maxAge`: a
/// page is served from the snapshot at hand and never waits on a re-read (only
/// the very first request waits for the first read). One reader at a time.
public final class DashboardCache: Sendable {
  private let maxAge: TimeInterval
  private let read: @Sendable () throws -> DashboardSnapshot
  private let logger: Logger
  /// The server's clock: a snapshot's age, and when a re-read failed.
  private let now: @Sendable () -> Date
  private struct State {
    var snapshot: Result<DashboardSnapshot, any Error>?
    var readAt = Date.distantPast
    var reading = false
    var waiting: [CheckedContinuation<Result<DashboardSnapshot, any Error>, Never>] = []
    var problem: (time: Date, error: any Error)?
  }
  private let state = Locked(State())

  public init(
    maxAge: TimeInterval, logger: Logger, now: @escaping @Sendable () -> Date,
    read: @escaping @Sendable () throws -> DashboardSnapshot
  ) {
    self.maxAge = maxAge
    self.logger = logger
    self.now = now
    self.read = read
  }

  public func snapshot() async -> Result<DashboardSnapshot, any Error> {
    await withCheckedContinuation { continuation in
      let (answer, start): (Result<DashboardSnapshot, any Error>?, Bool) = state.withLock { state in
        // A failed read is not served from memory: the next request reads again.
        var good = false
        if case .success? = state.snapshot { good = true }
        let start = (!good || now().timeIntervalSince(state.readAt) >= maxAge) && !state.reading
        if start { state.reading = true }
        if good { return (state.snapshot, start) }
        state.waiting.append(continuation)
        return (nil, start)
      }
      if let answer { continuation.resume(returning: answer) }
      if start { refresh() }
    }
  }

  /// Why the newest re-read failed, while an older snapshot is served.
  public var problem: (time: Date, error: any Error)? { state.value.problem }

  /// Reads again now (after an action), without waiting for it.
  public func invalidate() {
    let start = state.withLock { state -> Bool in
      guard !state.reading else { return false }
      state.reading = true
      return true
    }
    if start { refresh() }
  }

  private func refresh() {
    Thread.detachNewThread { [self] in
      let result = Result { try read() }
      if case .failure(let error) = result {
        logger.warning("dashboard: cannot read the repository: \(error: error)")
      }
      let waiting = state.withLock { state in
        // A read that fails (a prune holds the exclusive lock, storage is away)
        // leaves the last good snapshot in place; the pages say it is old.
        if case .failure(let error) = result, case .success? = state.snapshot {
          state.problem = (now(), error)
        } else {
          state.snapshot = result
          state.problem = nil
        }
        state.readAt = now()
        state.reading = false
        defer { state.waiting = [] }
        return state.waiting
      }
      for continuation in waiting { continuation.resume(returning: result) }
    }
  }
}
