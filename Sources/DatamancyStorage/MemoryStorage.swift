import Foundation

/// Storage in memory, for tests and for measuring the engine without a disk.
public final class MemoryStorage: Storage, @unchecked Sendable {
  private let lock = NSLock()
  private var objects: [String: Data] = [:]
  private var times: [String: Date] = [:]
  public let location: String
  /// The storage's clock, which stamps every put; tests move it.
  public var now: @Sendable () -> Date = { Date() }

  public init(location: String = "memory") { self.location = location }

  public func put(_ name: String, data: Data) throws {
    let time = now()
    lock.withLock {
      objects[name] = data
      times[name] = time
    }
  }

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

  public func listObjects(prefix: String) throws -> [ObjectInfo] {
    lock.withLock {
      objects.filter { $0.key.hasPrefix(prefix) }.map {
        ObjectInfo(name: $0.key, size: $0.value.count, modified: times[$0.key])
      }
    }
  }

  public func stat(_ name: String) throws -> ObjectInfo {
    guard let data = lock.withLock({ objects[name] }) else {
      throw StorageError.notFound(name: name, location: location)
    }
    return ObjectInfo(name: name, size: data.count, modified: lock.withLock { times[name] })
  }

  public func delete(_ name: String) throws {
    lock.withLock {
      objects[name] = nil
      times[name] = nil
    }
  }
}
