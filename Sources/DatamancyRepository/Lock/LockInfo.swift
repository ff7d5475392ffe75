import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The content of a lock file, `locks/<id>` (sealed JSON).
public struct LockInfo: Codable, Sendable, CustomStringConvertible {
  public var host: String
  public var pid: Int32
  public var time: Date
  public var exclusive: Bool
  public var command: String

  public init(host: String, pid: Int32, time: Date, exclusive: Bool, command: String) {
    self.host = host
    self.pid = pid
    self.time = time
    self.exclusive = exclusive
    self.command = command
  }

  /// A lock not refreshed for this long is stale, whoever holds it.
  public static let staleAfter: TimeInterval = 30 * 60
  /// Holders rewrite their lock this often.
  public static let refreshEvery: TimeInterval = 5 * 60

  public var description: String {
    "'\(command)' (pid \(pid) on \(host), \(exclusive ? "exclusive" : "shared"), since \(time))"
  }

  /// Whether the holder is gone: its process no longer runs on this host, or it has
  /// not refreshed the lock within `staleAfter`.
  public func isStale(now: Date, localHost: String) -> Bool {
    if now.timeIntervalSince(time) > Self.staleAfter { return true }
    if host == localHost && kill(pid, 0) != 0 && errno == ESRCH { return true }
    return false
  }

  /// Whether this lock and `other` cannot be held at once.
  public func conflicts(with other: LockInfo) -> Bool { exclusive || other.exclusive }
}
