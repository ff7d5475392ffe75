import Foundation

/// A blocking first-in first-out queue between threads, which either side can
/// close to wake and stop the other. With a capacity, `put` waits for room.
public final class Channel<Element>: @unchecked Sendable {
  private let condition = NSCondition()
  private var items: [Element] = []
  private var closed = false
  private let capacity: Int

  public init(capacity: Int = .max) { self.capacity = capacity }

  /// Adds an element; returns false (dropping it) when the channel is closed.
  @discardableResult
  public func put(_ element: Element) -> Bool {
    condition.withLock {
      while items.count >= capacity && !closed { condition.wait() }
      guard !closed else { return false }
      items.append(element)
      condition.broadcast()
      return true
    }
  }

  /// Takes the oldest element, waiting for one; nil once closed and empty.
  public func take() -> Element? {
    condition.withLock {
      while items.isEmpty && !closed { condition.wait() }
      guard !items.isEmpty else { return nil }
      condition.broadcast()
      return items.removeFirst()
    }
  }

  /// Takes the oldest element if there is one, without waiting.
  public func poll() -> Element? {
    condition.withLock {
      guard !items.isEmpty else { return nil }
      condition.broadcast()
      return items.removeFirst()
    }
  }

  public func close() {
    condition.withLock {
      closed = true
      condition.broadcast()
    }
  }
}
