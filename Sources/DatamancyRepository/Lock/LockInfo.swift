import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The content of a lock file, `locks/<id>` (sealed JSON).
public struct LockInfo: Codable, Sendable, CustomStringConvertible {
  public var host: String
  public var pid: Int32
  /// When the holder wrote it, by the holder's clock: shown to people, and used
  /// for staleness only when the storage keeps no modification times.
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

  public var description: String {
    "'\(command)' (pid \(pid) on \(host), \(exclusive ? "exclusive" : "shared"), since \(time))"
  }

  /// Whether the holder is gone: its process no longer runs on this host, or its
  /// lock was last written more than `staleAfter` before `reference`. Both times
  /// are the storage's (see `LockTiming`); `written` is nil when the storage does
  /// not say, and then the lock's own `time` is compared with `reference`.
  public func isStale(
    written: Date?, reference: Date, localHost: String,
    staleAfter: TimeInterval = LockTiming.standard.staleAfter
  ) -> Bool {
    if reference.timeIntervalSince(written ?? time) > staleAfter { return true }
    if host == localHost && kill(pid, 0) != 0 && errno == ESRCH { return true }
    return false
  }

  /// Whether this lock and `other` cannot be held at once.
  public func conflicts(with other: LockInfo) -> Bool { exclusive || other.exclusive }
}
