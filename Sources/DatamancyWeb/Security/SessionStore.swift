import Crypto
import DatamancyPOSIX
import Foundation

/// Logged-in sessions. The cookie holds a random 256-bit id; the server keeps only
/// its SHA-256, so a memory dump or a log line never yields a usable cookie. A
/// session ends when idle too long, when too old, or at logout.
public final class SessionStore: Sendable {
  public struct Session: Sendable {
    public var user: String
    public var role: Role
    /// The token every form of this session carries (`csrf`).
    public var csrf: String
    /// The password hash at login: a new password ends the session. Nil for a
    /// user a trusted proxy logged in.
    var hash: String?
    var proxied: Bool { hash == nil }
    var created: Date
    var seen: Date
  }

  /// Sessions kept at most; beyond it the least recently used is dropped.
  static let capacity = 10_000

  private let sessions = Locked<[String: Session]>([:])
  private let idle: TimeInterval
  private let maximum: TimeInterval

  public init(idle: TimeInterval, maximum: TimeInterval) {
    self.idle = idle
    self.maximum = maximum
  }

  /// Starts a session; returns the cookie value.
  public func start(user: String, role: Role, hash: String?, now: Date) -> (id: String, session: Session) {
    let id = Self.randomToken()
    let session = Session(
      user: user, role: role, csrf: Self.randomToken(), hash: hash, created: now, seen: now)
    sessions.withLock { sessions in
      if sessions.count >= Self.capacity, let oldest = sessions.min(by: { $0.value.seen < $1.value.seen }) {
        sessions[oldest.key] = nil
      }
      sessions[Self.key(id)] = session
    }
    return (id, session)
  }

  /// The live session of a cookie value, its idle time renewed.
  public func session(_ id: String, now: Date) -> Session? {
    let key = Self.key(id)
    return sessions.withLock { sessions in
      guard var session = sessions[key] else { return nil }
      guard now.timeIntervalSince(session.seen) < idle, now.timeIntervalSince(session.created) < maximum
      else {
        sessions[key] = nil
        return nil
      }
      session.seen = now
      sessions[key] = session
      return session
    }
  }

  public func end(_ id: String) { _ = sessions.withLock { $0.removeValue(forKey: Self.key(id)) } }

  static func key(_ id: String) -> String { Data(SHA256.hash(data: Data(id.utf8))).base64EncodedString() }

  /// 256 random bits, URL-safe base64.
  static func randomToken() -> String {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
      .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
  }
}
