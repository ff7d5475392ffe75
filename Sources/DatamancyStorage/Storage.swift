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

  /// Lists every object whose name starts with `prefix`, with its size and
  /// modification time, in no particular order, in one pass (one listing request
  /// per thousand objects on S3, one folder walk on disk). Objects being written
  /// (not yet visible) are not listed.
  func listObjects(prefix: String) throws -> [ObjectInfo]

  /// Describes one object; throws `StorageError.notFound` when it does not exist.
  func stat(_ name: String) throws -> ObjectInfo

  /// Deletes an object; deleting a missing object is not an error.
  func delete(_ name: String) throws

  /// Starts a new object to be written piece by piece and named by its commit,
  /// which will be under `folder` (such as `data`). A local folder stages the
  /// bytes in a temporary file there; the default gathers them in memory.
  func makeWriter(under folder: String) throws -> any ObjectWriter
}

extension Storage {
  public func makeWriter(under folder: String) throws -> any ObjectWriter {
    BufferedObjectWriter(storage: self)
  }

  /// Reads a whole object.
  public func get(_ name: String) throws -> Data {
    try get(name, offset: 0, length: nil)
  }

  /// The names of every object whose name starts with `prefix`, in no particular order.
  public func list(prefix: String) throws -> [String] {
    try listObjects(prefix: prefix).map(\.name)
  }
}

/// What `Storage.stat` tells about one object.
public struct ObjectInfo: Equatable, Sendable {
  /// The object's name, as given to `put`.
  public var name: String
  /// Its size in bytes.
  public var size: Int
  /// When it was last written, by the storage's clock (a file's mtime, an
  /// object's Last-Modified): comparing two objects' times never mixes two hosts'
  /// clocks. Nil when the storage does not say.
  public var modified: Date?

  public init(name: String, size: Int, modified: Date? = nil) {
    self.name = name
    self.size = size
    self.modified = modified
  }

  /// Equal name and size: the same object. (Times differ in precision between a
  /// listing and a stat of one object.)
  public static func == (a: ObjectInfo, b: ObjectInfo) -> Bool { a.name == b.name && a.size == b.size }
}
