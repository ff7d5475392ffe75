import Foundation

/// What a folder's backup leaves out: `exclude` patterns (a pattern without a
/// slash matches a name at any depth, one with a slash the path from the
/// folder), folders holding a marker file (`exclude_if_present`), files larger
/// than a size, and other file systems mounted inside (`one_file_system`).
public struct FileRules: Sendable {
  public var exclude: [PathPattern]
  public var ifPresent: [String]
  public var largerThan: Int64?
  public var oneFileSystem: Bool

  public init(
    exclude: [String], ifPresent: [String] = [], largerThan: Int64? = nil, oneFileSystem: Bool = false
  ) {
    self.exclude = exclude.map { pattern in
      var pattern = pattern
      while pattern.hasPrefix("./") { pattern.removeFirst(2) }
      while pattern.hasPrefix("/") { pattern.removeFirst() }
      while pattern.hasSuffix("/") && pattern.count > 1 { pattern.removeLast() }
      return PathPattern(pattern)
    }
    self.ifPresent = ifPresent
    self.largerThan = largerThan
    self.oneFileSystem = oneFileSystem
  }

  func excludes(name: [UInt8], relative: [UInt8]) -> Bool {
    exclude.contains { $0.matches(name: name, path: relative) }
  }

  func marksExcluded(_ name: [UInt8]) -> Bool { ifPresent.contains { Array($0.utf8) == name } }
}
