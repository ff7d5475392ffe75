import Foundation

/// Why a storage operation failed; each message names the object and the location.
public enum StorageError: Error, Equatable, CustomStringConvertible {
  /// The object does not exist.
  case notFound(name: String, location: String)
  /// The object is shorter than the range asked for: it was truncated or damaged.
  case shortRead(name: String, location: String, expected: Int, got: Int)
  /// The operating system refused the operation (permissions, full disk, ...).
  case io(operation: String, name: String, location: String, reason: String)
  /// The storage refused a write or a read: a read-only mount, file permissions,
  /// WORM storage or read-only credentials (S3's AccessDenied).
  case denied(operation: String, name: String, location: String, reason: String)
  /// The storage could not answer this time (a 5xx or 429 from object storage, a
  /// dropped connection): `RetryingStorage` tries again.
  case unavailable(operation: String, name: String, location: String, reason: String)

  public var description: String {
    switch self {
    case .notFound(let name, let location):
      return "'\(name)' does not exist in \(location)"
    case .shortRead(let name, let location, let expected, let got):
      return "'\(name)' in \(location) is truncated: expected \(expected) bytes, found \(got)"
    case .io(let operation, let name, let location, let reason),
      .denied(let operation, let name, let location, let reason),
      .unavailable(let operation, let name, let location, let reason):
      return "could not \(operation) '\(name)' in \(location): \(reason)"
    }
  }

  /// Whether trying again may succeed.
  public var isTransient: Bool {
    if case .unavailable = self { return true }
    return false
  }

  /// Whether the storage refused the operation (read-only, no permission).
  public var isDenied: Bool {
    if case .denied = self { return true }
    return false
  }

  /// Whether the error means the object is missing.
  public var isNotFound: Bool {
    if case .notFound = self { return true }
    return false
  }
}
