import DatamancyStorage
import Foundation

/// Storage in memory that counts reads of pack files: how a restore reads its
/// chunks (coalesced, or one request per chunk) shows in the count.
public final class CountingStorage: Storage, @unchecked Sendable {
  public let inner = MemoryStorage()
  private let lock = NSLock()
  private var reads = 0

  public init() {}

  public var packReads: Int { lock.withLock { reads } }
  public var location: String { inner.location }
  public func put(_ name: String, data: Data) throws { try inner.put(name, data: data) }
  public func get(_ name: String, offset: Int, length: Int?) throws -> Data {
    if name.hasPrefix("data/") { lock.withLock { reads += 1 } }
    return try inner.get(name, offset: offset, length: length)
  }
  public func listObjects(prefix: String) throws -> [ObjectInfo] { try inner.listObjects(prefix: prefix) }
  public func stat(_ name: String) throws -> ObjectInfo { try inner.stat(name) }
  public func delete(_ name: String) throws { try inner.delete(name) }
}
