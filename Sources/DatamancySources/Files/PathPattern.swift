import CLinux
import Foundation

/// A glob on the entries of a folder: without a slash it matches an entry's
/// name at any depth (`*.log`), with one its path from the folder
/// (`cache/tmp`, where `*` stops at slashes). Used by exclusions and `find`.
public struct PathPattern: Sendable {
  public let text: String
  private let onPath: Bool

  public init(_ text: String) {
    self.text = text
    onPath = text.contains("/")
  }

  public func matches(name: [UInt8], path: [UInt8]) -> Bool {
    FileSystem.withPath(onPath ? path : name) { fnmatch(text, $0, onPath ? FNM_PATHNAME : 0) == 0 }
  }
}
