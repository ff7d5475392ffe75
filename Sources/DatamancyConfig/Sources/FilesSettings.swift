import Foundation

/// A `files` source: its folders and what to leave out of them.
public struct FilesSettings: SourceSettings, Equatable {
  public var paths: [String]
  /// Patterns: without a slash they match a name at any depth, with one the
  /// path from the folder (`*.log`, `.cache`, `cache/tmp`).
  public var exclude: [String]
  /// Folders holding a file of one of these names are left out (`.nobackup`).
  public var excludeIfPresent: [String] = []
  /// Files larger than this many bytes are left out.
  public var excludeLargerThan: Int64?
  /// Folders on other file systems mounted inside are stored empty.
  public var oneFileSystem = false

  public init(paths: [String], exclude: [String]) {
    self.paths = paths
    self.exclude = exclude
  }
}

/// A `command` source: a program whose standard output is the item.
public struct CommandSettings: SourceSettings, Equatable {
  public var argv: [String]

  public init(argv: [String]) { self.argv = argv }
}

extension ConfigNode {
  /// A size: bytes, or a number with K, M, G or T (powers of 1024, `500M`).
  public func size() throws -> Int64 {
    let text = try string().trimmingCharacters(in: .whitespaces)
    let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
    var digits = text.uppercased()
    if digits.hasSuffix("IB") { digits.removeLast(2) } else if digits.hasSuffix("B") { digits.removeLast() }
    var factor: Int64 = 1
    if let last = digits.last, let unit = units[last] {
      factor = unit
      digits.removeLast()
    }
    guard let number = Int64(digits), number > 0, number <= Int64.max / factor else {
      throw error("'\(text)' is not a size; write bytes or a number with K, M, G or T, like 500M or 2G")
    }
    return number * factor
  }
}
