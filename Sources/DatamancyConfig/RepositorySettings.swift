import DatamancyStorage

/// `repository:` (and each entry of `repositories:`): the path, the password,
/// and the settings its storage backend declares (`StorageBackend.options`).
public struct RepositorySettings: Sendable {
  public var path: String?
  public var password: SecretReference?
  /// Nil keeps the repository's own setting.
  public var compression: CompressionSetting?
  /// Storage requests in flight at once; nil takes the backend's default.
  public var connections: Int?
  /// The backend's settings by key, as its options declare them.
  public var storage: [String: StorageSetting] = [:]

  public init() {}

  /// The keys every repository has; the rest belong to a backend.
  static let commonKeys: Set<String> = ["path", "password", "compression", "connections"]

  static func parse(_ node: ConfigNode) throws -> RepositorySettings {
    var settings = RepositorySettings()
    let backendKeys = StorageBackends.allOptions.map(\.key)
    var nodes: [String: ConfigNode] = [:]
    var pathNode: ConfigNode?
    for (key, value) in try node.mapping(allowed: commonKeys.union(backendKeys)) {
      switch key {
      case "path":
        settings.path = try value.string()
        pathNode = value
      case "password": settings.password = try SecretReference.parse(value)
      case "connections": settings.connections = try value.int(in: 1...64)
      case "compression":
        guard let compression = CompressionSetting(text: try value.string()) else {
          throw value.error("expected auto, none, zstd or zstd:LEVEL with LEVEL from 1 to 19")
        }
        settings.compression = compression
      default:
        guard let option = StorageBackends.option(key) else { continue }
        settings.storage[key] = try StorageSetting.parse(value, as: option.kind)
        nodes[key] = value
      }
    }
    guard let path = settings.path, let pathNode else { return settings }
    let backend: any StorageBackend.Type
    do {
      backend = try StorageBackends.backend(of: path)
    } catch let error as BackendError {
      throw pathNode.error(error.description)
    }
    // A setting of another kind of repository would be silently ignored.
    for (key, value) in nodes where !backend.options.contains(where: { $0.key == key }) {
      let owners = StorageBackends.all.filter { $0.options.contains { $0.key == key } }.map { $0.pathForm }
      throw value.error(
        "'\(key)' is a setting of \(owners.joined(separator: " and ")) repositories; this one is \(backend.pathForm)"
      )
    }
    return settings
  }
}

/// A backend's setting as the configuration writes it: a value, or a reference
/// to a secret (resolved only when the storage is opened).
public enum StorageSetting: Sendable, Equatable {
  case value(BackendValue)
  case secret(SecretReference)

  static func parse(_ node: ConfigNode, as kind: BackendOption.Kind) throws -> StorageSetting {
    switch kind {
    case .text: .value(.text(try node.string()))
    case .flag: .value(.flag(try node.bool()))
    case .seconds: .value(.seconds(try node.duration(examples: "20s or 2m", minimum: 1)))
    case .secret: .secret(try SecretReference.parse(node))
    }
  }

  /// The reference, for a secret.
  public var reference: SecretReference? {
    if case .secret(let reference) = self { return reference }
    return nil
  }
}
