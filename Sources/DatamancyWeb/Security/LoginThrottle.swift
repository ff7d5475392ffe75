import DatamancyPOSIX
import Foundation

/// Counts failed logins per client address and per user name: after `limit`
/// failures within `window`, further attempts are refused (429) until the oldest
/// failure leaves the window, whether or not the password would be right.
public final class LoginThrottle: Sendable {
  private let failures = Locked<[String: [Date]]>([:])
  let limit: Int
  let window: TimeInterval

  public init(limit: Int = 10, window: TimeInterval = 15 * 60) {
    self.limit = limit
    self.window = window
  }

  /// True when any of `keys` has used up its attempts.
  public func refuses(_ keys: [String], now: Date) -> Bool {
    failures.withLock { failures in
      keys.contains { key in
        let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
        failures[key] = recent.isEmpty ? nil : recent
        return recent.count >= limit
      }
    }
  }

  public func failed(_ keys: [String], now: Date) {
    failures.withLock { failures in
      // Bounded: a flood of made-up user names cannot grow the table without end.
      if failures.count > 100_000 {
        failures = failures.filter { now.timeIntervalSince($0.value.last!) < window }
      }
      for key in keys { failures[key, default: []].append(now) }
    }
  }
}
