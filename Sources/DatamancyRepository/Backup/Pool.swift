import Foundation

/// Reusable per-thread resources (compression contexts, buffers) shared by the
/// worker threads of one operation: creating them per chunk would cost more than
/// the work they do.
final class Pool<Resource>: @unchecked Sendable {
  private let lock = NSLock()
  private var idle: [Resource] = []
  private let make: () -> Resource

  init(make: @escaping () -> Resource) { self.make = make }

  func use<T>(_ body: (Resource) throws -> T) rethrows -> T {
    let resource = lock.withLock { idle.popLast() } ?? make()
    defer { lock.withLock { idle.append(resource) } }
    return try body(resource)
  }
}
