import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// Something reading an item that can say which file it reads now, for the
/// progress line.
public protocol ReadingProgress: AnyObject {
  /// The file being read now, when known; safe to ask from any thread.
  var currentFile: String? { get }
}

/// The bytes of one item while it is being backed up: a tool's output, perhaps
/// inspected as it passes.
public protocol DumpStream: ByteStream, ReadingProgress {
  /// The tool, for messages (`'pg_dump'`).
  var label: String { get }
  /// Set at the end when the tool finished with something to report.
  var warning: String? { get }
  /// Per-table fingerprints, once the stream has ended (database items).
  var fingerprints: [TableFingerprint]? { get }
  /// What recreating the item on a new server needs, when the engine records it.
  var recovery: RecoveryFacts? { get }
  /// Stops the tool when its output is no longer wanted, and cleans up.
  func cancel()
}

extension DumpStream {
  public var currentFile: String? { nil }
  public var recovery: RecoveryFacts? { nil }
}

extension ProcessOutputStream: DumpStream {
  public var label: String { "'\(process.program)'" }
  public var fingerprints: [TableFingerprint]? { nil }

  public func cancel() {
    process.stop()
    process.wait()
  }
}
