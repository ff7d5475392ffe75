import DatamancyRepository
import Foundation

/// One item a backup run will store, and how to start reading it.
public struct PlannedItem: Sendable {
  /// `SOURCE` or `SOURCE/NAME`.
  public var name: String
  public var source: String
  public var format: BackupItem.Format
  /// Whether an item with no bytes is a failure (a dump is never empty).
  public var emptyIsFailure = true
  /// Starts the tool; the returned source fails on its last read if the tool did.
  public var open: @Sendable () throws -> DumpStream
}

extension PlannedItem {
  /// An item that fails at once with `error` (a source whose databases could not
  /// even be listed), so the failure is recorded and reported like any other.
  static func failing(_ name: String, source: String, _ error: Error) -> PlannedItem {
    PlannedItem(name: name, source: source, format: .stream) { throw error }
  }
}

/// Builds the items of the configured sources.
public protocol SourcePlanner {
  func items() throws -> [PlannedItem]
}
