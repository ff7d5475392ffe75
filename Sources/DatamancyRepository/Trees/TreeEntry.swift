/// One directory of a file tree as stored: its entries sorted by name bytes.
/// Encoded by `TreeCoding`, cut into chunks like any data, so an unchanged
/// directory has the same chunks in every set and stores nothing new.
public struct Tree: Sendable, Equatable {
  public var entries: [TreeEntry]

  public init(entries: [TreeEntry]) {
    self.entries = entries.sorted { $0.name.lexicographicallyPrecedes($1.name) }
  }

  /// The entry called `name`, by binary search over the sorted entries.
  public func entry(named name: [UInt8]) -> TreeEntry? {
    var low = 0
    var high = entries.count
    while low < high {
      let middle = (low + high) / 2
      if entries[middle].name == name { return entries[middle] }
      if entries[middle].name.lexicographicallyPrecedes(name) { low = middle + 1 } else { high = middle }
    }
    return nil
  }
}

/// One name in a directory, with everything needed to recreate it as it was.
public struct TreeEntry: Sendable, Equatable {
  public enum Kind: UInt8, Sendable {
    case file = 1
    case directory = 2
    case symlink = 3
    case fifo = 4
    case characterDevice = 5
    case blockDevice = 6
  }

  /// The name's bytes, as the file system gave them (not necessarily UTF-8).
  public var name: [UInt8]
  public var kind: Kind
  /// Permission bits with setuid, setgid and sticky (`st_mode & 0o7777`).
  public var mode: UInt32
  public var uid: UInt32
  public var gid: UInt32
  /// Owner and group names at backup, empty when the ids had none.
  public var user: [UInt8] = []
  public var group: [UInt8] = []
  public var mtime: Timestamp
  public var ctime: Timestamp
  /// Bytes of a regular file (holes included); 0 otherwise.
  public var size: UInt64 = 0
  /// Identity at backup: finds hardlinks (same device and inode) and unchanged files.
  public var inode: UInt64 = 0
  public var device: UInt64 = 0
  public var links: UInt32 = 1
  /// Device number of a device node.
  public var rdev: UInt64 = 0
  /// A symlink's target.
  public var target: [UInt8] = []
  /// Extended attributes, sorted by name; POSIX ACLs are `system.posix_acl_*`.
  public var xattrs: [Xattr] = []
  /// A file's content (its data regions, concatenated) or a directory's tree.
  public var chunks: [ChunkID] = []
  /// A sparse file's data regions, in order; nil for a file without holes,
  /// whose one region is the whole file.
  public var extents: [Extent]?

  public init(
    name: [UInt8], kind: Kind, mode: UInt32, uid: UInt32, gid: UInt32, mtime: Timestamp, ctime: Timestamp
  ) {
    self.name = name
    self.kind = kind
    self.mode = mode
    self.uid = uid
    self.gid = gid
    self.mtime = mtime
    self.ctime = ctime
  }

  /// The name for messages and listings (invalid UTF-8 shown as U+FFFD).
  public var displayName: String { String(decoding: name, as: UTF8.self) }

  /// Bytes a regular file's chunks hold: its data regions, without holes.
  public var storedLength: UInt64 { extents.map { $0.reduce(0) { $0 + $1.length } } ?? size }
}

public struct Timestamp: Sendable, Equatable, Comparable, Hashable {
  public var seconds: Int64
  public var nanoseconds: UInt32

  public init(seconds: Int64, nanoseconds: UInt32) {
    self.seconds = seconds
    self.nanoseconds = nanoseconds
  }

  public static func < (a: Timestamp, b: Timestamp) -> Bool {
    (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
  }
}

public struct Xattr: Sendable, Equatable {
  public var name: [UInt8]
  public var value: [UInt8]

  public init(name: [UInt8], value: [UInt8]) {
    self.name = name
    self.value = value
  }
}

/// A region of a sparse file that holds data.
public struct Extent: Sendable, Equatable {
  public var offset: UInt64
  public var length: UInt64

  public init(offset: UInt64, length: UInt64) {
    self.offset = offset
    self.length = length
  }
}
