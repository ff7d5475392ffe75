import Foundation

/// An object written piece by piece and named only once it is whole, so a large
/// object (a pack) need not be held in memory while it is assembled.
///
/// `commit(as:)` gives it `Storage.put`'s guarantees: atomic, durable, visible at
/// once. A writer released without a commit leaves nothing under any name.
/// Appends come from one thread at a time; the commit may come from another.
public protocol ObjectWriter: AnyObject, Sendable {
  /// Bytes appended so far.
  var count: Int { get }
  /// Adds bytes at the end.
  func append(_ bytes: UnsafeRawBufferPointer) throws
  /// Stores the bytes appended under `name`; called at most once.
  func commit(as name: String) throws
}

extension ObjectWriter {
  public func append(_ data: Data) throws { try data.withUnsafeBytes { try append($0) } }
}

/// The writer of storages that have no better place for a half-written object
/// (object storage, memory): the bytes gather in memory and `commit` puts them.
// @unchecked: a writer belongs to the one thread that appends to and commits it.
public final class BufferedObjectWriter: ObjectWriter, @unchecked Sendable {
  private let storage: any Storage
  private var bytes = Data()

  public init(storage: any Storage) { self.storage = storage }

  public var count: Int { bytes.count }

  public func append(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }

  public func commit(as name: String) throws {
    try storage.put(name, data: bytes)
    bytes = Data()
  }
}
