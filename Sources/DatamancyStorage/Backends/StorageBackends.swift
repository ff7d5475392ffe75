/// The registry: every backend, and the one a path names by its scheme.
public enum StorageBackends {
  /// Every backend this program has; the one without a scheme takes paths that
  /// have none.
  public static let all: [any StorageBackend.Type] = [LocalBackend.self, S3Backend.self]

  /// The backend type whose scheme `path` starts with (`SCHEME://`), else the
  /// folder's; an unknown scheme is refused rather than taken for a folder name.
  public static func backend(of path: String) throws -> any StorageBackend.Type {
    let scheme = Self.scheme(of: path)
    for backend in all where backend.scheme == scheme { return backend }
    guard let scheme else {
      throw BackendError("repository.path: '\(path)' names no scheme, and no backend takes plain paths")
    }
    let known = all.map { $0.pathForm }.joined(separator: ", ")
    throw BackendError(
      "repository.path: '\(scheme)://' is not a kind of repository this program has (\(known))")
  }

  /// `s3` of `s3://…`; nil for a path without one (a folder, even one whose
  /// name holds `://` after a slash).
  static func scheme(of path: String) -> String? {
    guard let range = path.range(of: "://") else { return nil }
    let scheme = String(path[..<range.lowerBound])
    return scheme.isEmpty || scheme.contains("/") ? nil : scheme
  }

  /// The location `path` names, parsed by its backend.
  public static func location(_ path: String) throws -> any StorageBackend {
    try backend(of: path).init(path: path)
  }

  /// The option `key` of whichever backend declares it.
  public static func option(_ key: String) -> BackendOption? {
    for backend in all {
      if let option = backend.options.first(where: { $0.key == key }) { return option }
    }
    return nil
  }

  /// Every backend's options, in registry order.
  public static var allOptions: [BackendOption] { all.flatMap { $0.options } }
}
