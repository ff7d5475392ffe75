/// One kind of place a repository lives: a folder, S3-compatible object storage.
///
/// A backend owns everything about its kind: how its paths are written, its
/// settings beside `path` (their keys and kinds, which the configuration parses
/// as declared here), the credentials a scheduled run must carry (each option's
/// `variable`), its default concurrency, and how its storage is opened. Adding a
/// backend is one folder under `Backends/` and one line in `StorageBackends.all`
/// (docs/architecture.md, "Adding a storage backend").
public protocol StorageBackend: Sendable {
  /// The scheme of the paths it serves (`s3` for `s3://BUCKET/PREFIX`); nil for
  /// a path with no scheme (a folder).
  static var scheme: String? { get }
  /// How its paths are written, for messages (`s3://BUCKET/PREFIX`).
  static var pathForm: String { get }
  /// Its settings beside `path`, as the configuration spells them.
  static var options: [BackendOption] { get }
  /// Storage requests worth keeping in flight when `connections` is not set.
  static var defaultConnections: Int { get }
  /// The location `path` names (scheme included); throws `BackendError` when it
  /// is malformed.
  init(path: String) throws
  /// The storage, with the options the configuration sets (secrets resolved) or,
  /// for those it leaves out, the values of their `variable`s.
  func open(_ values: BackendValues) throws -> any Storage
}

/// A setting a backend reads beside `path`.
public struct BackendOption: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    /// Free text (a URL, a region, a file).
    case text
    case flag
    /// A duration (`20s`, `2m`), as seconds.
    case seconds
    /// A secret reference (`env:`, `file:`, `command:`): never written in clear.
    case secret
  }

  public var key: String
  public var kind: Kind
  /// The environment variable read when the key is not set (a credential); a
  /// scheduled run is given it (`schedule install`).
  public var variable: String?
  /// Whether a run may go without it (the backend then does without).
  public var optional: Bool

  public init(_ key: String, _ kind: Kind, variable: String? = nil, optional: Bool = true) {
    self.key = key
    self.kind = kind
    self.variable = variable
    self.optional = optional
  }
}

/// An option's value, as `StorageBackend.open` receives it.
public enum BackendValue: Sendable, Equatable {
  case text(String)
  case flag(Bool)
  case seconds(Double)
}

/// The options' values by key, read by kind.
public struct BackendValues: Sendable {
  public var values: [String: BackendValue]

  public init(_ values: [String: BackendValue] = [:]) { self.values = values }

  public func text(_ key: String) -> String? {
    if case .text(let text) = values[key] { return text }
    return nil
  }

  public func flag(_ key: String) -> Bool? {
    if case .flag(let flag) = values[key] { return flag }
    return nil
  }

  public func seconds(_ key: String) -> Double? {
    if case .seconds(let seconds) = values[key] { return seconds }
    return nil
  }
}

/// A repository location that cannot be used as written: its path or one of
/// its settings (the message names which).
public struct BackendError: Error, CustomStringConvertible {
  public var description: String

  public init(_ description: String) { self.description = description }
}
