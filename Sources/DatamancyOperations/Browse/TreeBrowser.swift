import DatamancyRepository
import Foundation

/// Paths inside a folder item, as given on a command line: relative to the
/// folder, `/`-separated; `..` is refused so nothing can point outside the item.
public enum TreePath {
  public struct Invalid: Error, CustomStringConvertible {
    public var description: String
  }

  public static func normalized(_ text: String) throws -> [UInt8] { try normalized(bytes: Array(text.utf8)) }

  /// The same for a path given as bytes (a name need not be UTF-8).
  public static func normalized(bytes: [UInt8]) throws -> [UInt8] {
    let slash = UInt8(ascii: "/")
    let parts = bytes.split(separator: slash, omittingEmptySubsequences: true).filter { $0 != [46] }
    guard !parts.contains(where: { $0.elementsEqual([46, 46]) }) else {
      throw Invalid(description: "'\(display(bytes))': a path inside an item cannot contain '..'")
    }
    return Array(parts.joined(separator: [slash]))
  }

  /// A path for a terminal: valid UTF-8 as it is, but a backslash, control
  /// characters and bytes that are not UTF-8 escaped (`\\`, `\n`, `\xff`), so
  /// one entry stays one line and nothing can drive the terminal.
  public static func display(_ bytes: [UInt8]) -> String {
    var out = ""
    var rest = bytes[...]
    while !rest.isEmpty {
      // The first character's bytes: the shortest valid UTF-8 prefix (a
      // shorter part of a multi-byte character is invalid), else one bad byte.
      var length = 1
      while length <= min(4, rest.count), String(validating: rest.prefix(length), as: UTF8.self) == nil {
        length += 1
      }
      guard length <= min(4, rest.count), let text = String(validating: rest.prefix(length), as: UTF8.self),
        let scalar = text.unicodeScalars.first
      else {
        out += String(format: "\\x%02x", rest.first!)
        rest = rest.dropFirst()
        continue
      }
      switch scalar {
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case _ where scalar.value < 32 || scalar.value == 127 || (0x80..<0xA0).contains(scalar.value):
        out += String(format: "\\x%02x", scalar.value)
      default: out += text
      }
      rest = rest.dropFirst(length)
    }
    return out
  }
}

/// Reads a folder item's trees: one path's entry, or a listing.
public struct TreeBrowser {
  public let repository: Repository

  public init(repository: Repository) { self.repository = repository }

  public struct NotFound: Error, CustomStringConvertible {
    public var description: String
  }

  /// One listed entry and its path inside the item.
  public struct Listed: Sendable {
    public var path: [UInt8]
    public var entry: TreeEntry
  }

  /// The tree of the folder at `path` (the item's root for an empty path), or
  /// the entry there when it is not a folder.
  func locate(_ path: [UInt8], in item: BackupItem, of set: BackupSet) throws -> (
    tree: Tree?, entry: TreeEntry?
  ) {
    guard item.format == .tree else {
      throw NotFound(
        description: "\(item.name) is not a file tree (it is stored as one \(item.format.rawValue) stream)")
    }
    var tree = try repository.readTree(try repository.rootTree(of: item, in: set))
    guard !path.isEmpty else { return (tree, tree.entry(named: [46])) }
    let parts = path.split(separator: UInt8(ascii: "/")).map(Array.init)
    for (i, name) in parts.enumerated() {
      guard let entry = tree.entry(named: name), name != [46] else {
        throw NotFound(description: "\(item.name) has no \(String(decoding: path, as: UTF8.self))")
      }
      if entry.kind != .directory {
        guard i == parts.count - 1 else {
          throw NotFound(
            description: "\(item.name): \(String(decoding: path, as: UTF8.self)) is not a folder")
        }
        return (nil, entry)
      }
      tree = try repository.readTree(entry.chunks)
      if i == parts.count - 1 { return (tree, entry) }
    }
    return (tree, nil)
  }

  /// The regular file at `path`.
  public func file(at path: [UInt8], in item: BackupItem, of set: BackupSet) throws -> TreeEntry {
    let (tree, entry) = try locate(path, in: item, of: set)
    guard tree == nil, let entry, entry.kind == .file else {
      throw NotFound(
        description: "\(item.name): \(String(decoding: path, as: UTF8.self)) is not a regular file")
    }
    return entry
  }

  /// True when `path` is a folder (the item's top for an empty path).
  public func isFolder(_ path: [UInt8], in item: BackupItem, of set: BackupSet) throws -> Bool {
    try locate(path, in: item, of: set).tree != nil
  }

  /// The folder at `path` (the item's top for an empty path).
  public func folder(at path: [UInt8], in item: BackupItem, of set: BackupSet) throws -> Tree {
    guard let tree = try locate(path, in: item, of: set).tree else {
      throw NotFound(description: "\(item.name): \(String(decoding: path, as: UTF8.self)) is not a folder")
    }
    return tree
  }

  /// The entries at `path` (a folder's content, or the one entry), with what is
  /// under them when `recursive`, in name order.
  public func list(_ path: [UInt8], in item: BackupItem, of set: BackupSet, recursive: Bool) throws
    -> [Listed]
  {
    let (tree, entry) = try locate(path, in: item, of: set)
    guard let tree else { return entry.map { [Listed(path: path, entry: $0)] } ?? [] }
    var listed: [Listed] = []
    func walk(_ tree: Tree, _ prefix: [UInt8]) throws {
      for entry in tree.entries where entry.name != [46] {
        let full = prefix.isEmpty ? entry.name : prefix + [UInt8(ascii: "/")] + entry.name
        listed.append(Listed(path: full, entry: entry))
        if recursive && entry.kind == .directory { try walk(try repository.readTree(entry.chunks), full) }
      }
    }
    try walk(tree, path)
    return listed
  }
}
