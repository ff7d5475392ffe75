import Foundation

/// Where a repository's files live: a local folder now, object storage later.
///
/// Names are relative, slash-separated paths such as `config`, `keys/<id>` or
/// `data/ab/<id>`. The engine relies on exactly these guarantees, and every
/// implementation must pass `StorageConformance` in the test suite:
///
/// - Atomic writes: after `put` returns, readers see the whole object; a writer
///   killed midway leaves no object under the name (never a truncated one).
/// - Read-after-write: an object is visible to `get`, `list` and `stat` as soon as
///   `put` returns.
/// - Durability: `put` returns only once the object would survive a power loss.
/// - Idempotent deletes: deleting a missing name succeeds.
public protocol Storage: Sendable {
  /// A human-readable location for messages, such as `/var/backups/datamancy`.
  var location: String { get }

  /// Stores `data` under `name`, replacing any previous object, atomically.
  func put(_ name: String, data: Data) throws

  /// Reads `length` bytes starting at `offset`, or to the end when `length` is nil.
  ///
  /// Throws `StorageError.notFound` when the object does not exist and
  /// `StorageError.shortRead` when the object ends before the range does.
  func get(_ name: String, offset: Int, length: Int?) throws -> Data

  /// Lists the names of all objects whose name starts with `prefix`, in no
  /// particular order. Objects being written (not yet visible) are not listed.
  func list(prefix: String) throws -> [String]

  /// Describes one object; throws `StorageError.notFound` when it does not exist.
  func stat(_ name: String) throws -> ObjectInfo

  /// Deletes an object; deleting a missing object is not an error.
  func delete(_ name: String) throws
}

extension Storage {
  /// Reads a whole object.
  public func get(_ name: String) throws -> Data {
    try get(name, offset: 0, length: nil)
  }
}

/// What `Storage.stat` tells about one object.
public struct ObjectInfo: Equatable, Sendable {
  /// The object's name, as given to `put`.
  public var name: String
  /// Its size in bytes.
  public var size: Int

  public init(name: String, size: Int) {
    self.name = name
    self.size = size
  }
}
