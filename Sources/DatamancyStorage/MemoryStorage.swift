import Foundation

/// Storage in memory, for tests and for measuring the engine without a disk.
public final class MemoryStorage: Storage, @unchecked Sendable {
  private let lock = NSLock()
  private var objects: [String: Data] = [:]
  public let location: String

  public init(location: String = "memory") { self.location = location }

  public func put(_ name: String, data: Data) throws { lock.withLock { objects[name] = data } }

  public func get(_ name: String, offset: Int, length: Int?) throws -> Data {
    guard let data = lock.withLock({ objects[name] }) else {
      throw StorageError.notFound(name: name, location: location)
    }
    let wanted = length ?? max(0, data.count - offset)
    guard offset + wanted <= data.count else {
      throw StorageError.shortRead(name: name, location: location, expected: offset + wanted, got: data.count)
    }
    return data.subdata(in: offset..<offset + wanted)
  }

  public func list(prefix: String) throws -> [String] {
    lock.withLock { objects.keys.filter { $0.hasPrefix(prefix) } }
  }

  public func stat(_ name: String) throws -> ObjectInfo {
    guard let data = lock.withLock({ objects[name] }) else {
      throw StorageError.notFound(name: name, location: location)
    }
    return ObjectInfo(name: name, size: data.count)
  }

  public func delete(_ name: String) throws { _ = lock.withLock { objects.removeValue(forKey: name) } }
}
