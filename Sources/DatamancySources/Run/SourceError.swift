import Foundation

/// Why a source could not be read before its tool even ran. Each message says
/// what and why; the item fails, the other items still run.
public enum SourceError: Error, CustomStringConvertible {
  /// A folder of a `files` source does not exist (or is not a folder).
  case noSuchFolder(path: String)
  /// The list of databases of a source could not be read.
  case databaseList(source: String, reason: String)
  /// The source's settings cannot work together.
  case settings(source: String, reason: String)

  public var description: String {
    switch self {
    case .noSuchFolder(let path): return "could not read \(path): no such folder"
    case .databaseList(let source, let reason): return "could not list the databases of \(source): \(reason)"
    case .settings(let source, let reason): return "source \(source): \(reason)"
    }
  }
}
