import DatamancyRepository
import Foundation

/// One item a backup run will store, and how to start reading it.
public struct PlannedItem: Sendable {
  /// `SOURCE` or `SOURCE/NAME`.
  public var name: String
  public var source: String
  public var format: BackupItem.Format
  /// What the bytes are, recorded in the item for `verify` and recovery.
  public var content: ItemContent
  /// A folder's absolute path, recorded in the item for recovery.
  public var path: String?
  /// Whether an item with no bytes is a failure (a dump is never empty).
  public var emptyIsFailure = true
  /// Starts the tool; the returned source fails on its last read if the tool did.
  public var open: @Sendable () throws -> any DumpStream
  /// For a folder (format `tree`): makes the scanner that stores it into a
  /// session, reading every file again when told to.
  public var scanner: (@Sendable (BackupSession, _ forceReread: Bool) throws -> TreeScanner)?
  /// How much there is to read, when it can be known beforehand (a folder: its
  /// files' sizes, walked without reading them), for the progress line.
  public var estimate: (@Sendable () -> Estimate?)?

  public init(
    name: String, source: String, format: BackupItem.Format, content: ItemContent,
    emptyIsFailure: Bool = true,
    estimate: (@Sendable () -> Estimate?)? = nil, open: @escaping @Sendable () throws -> any DumpStream
  ) {
    self.name = name
    self.source = source
    self.format = format
    self.content = content
    self.emptyIsFailure = emptyIsFailure
    self.estimate = estimate
    self.open = open
  }

  /// A folder stored as a file tree.
  public init(
    name: String, source: String, estimate: (@Sendable () -> Estimate?)? = nil,
    scanner: @escaping @Sendable (BackupSession, Bool) throws -> TreeScanner
  ) {
    self.init(name: name, source: source, format: .tree, content: .folder, estimate: estimate) {
      throw SourceError.noSuchFolder(path: name)
    }
    self.scanner = scanner
  }

  /// The bytes an item's stream will hold, and the files behind them.
  public struct Estimate: Sendable {
    public var bytes: Int
    public var files: Int
  }
}

extension PlannedItem {
  /// An item that fails at once with `error` (a source whose databases could not
  /// even be listed), so the failure is recorded and reported like any other.
  static func failing(_ name: String, source: String, content: ItemContent, _ error: any Error) -> PlannedItem
  {
    PlannedItem(name: name, source: source, format: .stream, content: content) { throw error }
  }
}

/// Builds the items of the configured sources.
public protocol SourcePlanner {
  func items() throws -> [PlannedItem]
}
