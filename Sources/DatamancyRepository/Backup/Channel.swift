import Foundation

/// A blocking first-in first-out queue between threads, which either side can
/// close to wake and stop the other.
final class Channel<Element>: @unchecked Sendable {
  private let condition = NSCondition()
  private var items: [Element] = []
  private var closed = false

  /// Adds an element; returns false (dropping it) when the channel is closed.
  @discardableResult
  func put(_ element: Element) -> Bool {
    condition.withLock {
      guard !closed else { return false }
      items.append(element)
      condition.signal()
      return true
    }
  }

  /// Takes the oldest element, waiting for one; nil once closed and empty.
  func take() -> Element? {
    condition.withLock {
      while items.isEmpty && !closed { condition.wait() }
      return items.isEmpty ? nil : items.removeFirst()
    }
  }

  func close() {
    condition.withLock {
      closed = true
      condition.broadcast()
    }
  }
}
