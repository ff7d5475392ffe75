import Foundation

/// A value shared between threads behind a lock: a failure one thread records and
/// another rethrows, results that worker threads fill in, the registry of running
/// programs.
public final class Locked<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: Value

  public init(_ value: Value) { stored = value }

  /// Runs `body` on the value while holding the lock, for a read-and-update that
  /// no other thread may interleave with.
  public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
    try lock.withLock { try body(&stored) }
  }

  /// The value, read or replaced under the lock.
  public var value: Value {
    get { withLock { $0 } }
    set { withLock { $0 = newValue } }
  }
}
