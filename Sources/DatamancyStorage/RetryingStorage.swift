import Foundation

/// Wraps a storage and retries operations that failed for a passing reason
/// (`StorageError.unavailable`: 5xx, 429, dropped connections), with exponential
/// backoff and jitter. Other errors pass at once. Every operation of `Storage` is
/// safe to repeat: a put writes the same bytes again, a delete of a missing object
/// succeeds.
// @unchecked: immutable after init; `inner` is itself safe to share (`Storage`).
public final class RetryingStorage: Storage, @unchecked Sendable {
  let inner: any Storage
  /// Tries per operation, the first included.
  let attempts: Int
  let baseDelay: Double
  let maxDelay: Double
  let sleep: (Double) -> Void

  public init(
    _ inner: any Storage, attempts: Int = 6, baseDelay: Double = 0.2, maxDelay: Double = 10,
    sleep: @escaping (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }
  ) {
    self.inner = inner
    self.attempts = max(1, attempts)
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
    self.sleep = sleep
  }

  public var location: String { inner.location }

  func retrying<T>(_ body: () throws -> T) throws -> T {
    var attempt = 1
    while true {
      do {
        return try body()
      } catch let error as StorageError where error.isTransient && attempt < attempts {
        // Full jitter over an exponentially growing window, so clients that failed
        // together do not retry together.
        let window = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        sleep(Double.random(in: (window / 2)...window))
        attempt += 1
      }
    }
  }

  public func put(_ name: String, data: Data) throws { try retrying { try inner.put(name, data: data) } }

  public func get(_ name: String, offset: Int, length: Int?) throws -> Data {
    try retrying { try inner.get(name, offset: offset, length: length) }
  }

  public func listObjects(prefix: String) throws -> [ObjectInfo] {
    try retrying { try inner.listObjects(prefix: prefix) }
  }

  public func stat(_ name: String) throws -> ObjectInfo { try retrying { try inner.stat(name) } }

  public func delete(_ name: String) throws { try retrying { try inner.delete(name) } }

  public func makeWriter(under folder: String) throws -> any ObjectWriter {
    RetryingObjectWriter(inner: try retrying { try inner.makeWriter(under: folder) }, storage: self)
  }
}

/// Retries a writer's commit as `RetryingStorage` retries a put: appends stay with
/// the inner writer, whose commit can be repeated (a buffered one puts again).
// @unchecked: a writer belongs to the one thread that appends to and commits it.
final class RetryingObjectWriter: ObjectWriter, @unchecked Sendable {
  let inner: any ObjectWriter
  let storage: RetryingStorage

  init(inner: any ObjectWriter, storage: RetryingStorage) {
    self.inner = inner
    self.storage = storage
  }

  var count: Int { inner.count }
  func append(_ bytes: UnsafeRawBufferPointer) throws { try inner.append(bytes) }
  func commit(as name: String) throws { try storage.retrying { try inner.commit(as: name) } }
}
