import DatamancyPOSIX
import Foundation

/// Counts password attempts per client address and per user name, so guessing
/// is slow from one address and from many, and an anonymous client cannot lock
/// a real user out.
///
/// - An attempt counts from the moment it is admitted, before its password is
///   checked: a burst of simultaneous attempts gets no more than `limit` checks.
/// - An address with `limit` failures (or admitted attempts) within `window` is
///   refused, for every user.
/// - A user with `limit` failures within `window` is *locked*: an attempt from an
///   address that failed for that user within the window is refused; one from any
///   other address waits its turn, one every `spacing`, and is refused when the
///   queue is longer than `maximumWait`. The real user, at an address of their
///   own, gets in after a short wait; guessing from many addresses gets one try
///   per address and one every `spacing` in all.
public final class LoginThrottle: Sendable {
  /// What `admit` decided.
  public enum Admission: Sendable, Equatable {
    /// Check the password after `delay` seconds (0: at once), then call `finish`.
    case check(delay: TimeInterval)
    /// Too many attempts: try again after `retryAfter` seconds.
    case refuse(retryAfter: TimeInterval)
  }

  private struct State {
    var failures: [String: [Date]] = [:]
    var pending: [String: Int] = [:]
    /// Per locked user: when the next attempt from a clean address may be checked.
    var nextTurn: [String: Date] = [:]
  }

  private let state = Locked(State())
  let limit: Int
  let window: TimeInterval
  let spacing: TimeInterval
  let maximumWait: TimeInterval

  public init(
    limit: Int = 10, window: TimeInterval = 15 * 60, spacing: TimeInterval = 2, maximumWait: TimeInterval = 20
  ) {
    self.limit = limit
    self.window = window
    self.spacing = spacing
    self.maximumWait = maximumWait
  }

  /// Admits or refuses an attempt to log in as `user` from `address`; every
  /// `.check` must be followed by one `finish` with the same names.
  public func admit(user: String, address: String, now: Date) -> Admission {
    state.withLock { state in
      func count(_ key: String) -> Int {
        let recent = (state.failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
        state.failures[key] = recent.isEmpty ? nil : recent
        return recent.count + state.pending[key, default: 0]
      }
      let (byAddress, byUser, pair) = Self.keys(user: user, address: address)
      guard count(byAddress) < limit else { return .refuse(retryAfter: retry(state, byAddress, now)) }
      if count(byUser) < limit {
        state.pending[byAddress, default: 0] += 1
        state.pending[byUser, default: 0] += 1
        return .check(delay: 0)
      }
      guard count(pair) == 0 else { return .refuse(retryAfter: retry(state, byUser, now)) }
      // A locked user's attempts go one every `spacing`, the first after one too.
      let turn = max(now.addingTimeInterval(spacing), state.nextTurn[user] ?? now)
      let delay = turn.timeIntervalSince(now)
      guard delay <= maximumWait else { return .refuse(retryAfter: delay) }
      state.nextTurn[user] = turn.addingTimeInterval(spacing)
      state.pending[byAddress, default: 0] += 1
      state.pending[byUser, default: 0] += 1
      return .check(delay: delay)
    }
  }

  /// Ends an admitted attempt: a failure is counted for the address, the user
  /// and the pair.
  public func finish(user: String, address: String, succeeded: Bool, now: Date) {
    state.withLock { state in
      let (byAddress, byUser, pair) = Self.keys(user: user, address: address)
      for key in [byAddress, byUser] {
        let left = state.pending[key, default: 1] - 1
        state.pending[key] = left > 0 ? left : nil
      }
      guard !succeeded else { return }
      // Bounded: a flood of made-up user names cannot grow the table without end.
      if state.failures.count > 100_000 {
        state.failures = state.failures.filter { now.timeIntervalSince($0.value.last!) < window }
        state.nextTurn = state.nextTurn.filter { $0.value > now }
      }
      for key in [byAddress, byUser, pair] { state.failures[key, default: []].append(now) }
    }
  }

  /// Seconds until the oldest failure of `key` leaves the window.
  private func retry(_ state: State, _ key: String, _ now: Date) -> TimeInterval {
    guard let oldest = state.failures[key]?.first else { return window }
    return max(window - now.timeIntervalSince(oldest), 1)
  }

  private static func keys(user: String, address: String) -> (String, String, String) {
    ("address " + address, "user " + user, "user " + user + " at " + address)
  }
}
