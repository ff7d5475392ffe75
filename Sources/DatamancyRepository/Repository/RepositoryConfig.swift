import Foundation

/// The repository's settings, fixed at `init`, stored sealed in the `config` file.
public struct RepositoryConfig: Codable, Equatable, Sendable {
  public var version = 1
  /// A random id, 32 hex digits.
  public var id: String
  public var created: Date
  public var chunker: ChunkerParameters
  /// Packs are closed once they reach this many bytes.
  public var packSize: Int
  /// Compression for new chunks; `backup` may override it from the configuration.
  public var compression: Compression

  public static let defaultPackSize = 4 << 20
}

/// The options `init` takes.
public struct InitOptions: Sendable {
  public var chunker = ChunkerParameters.default
  public var packSize = RepositoryConfig.defaultPackSize
  public var compression = Compression.default
  /// scrypt N for the first key file.
  public var kdfCost = KeyFile.KDF.defaultCost

  public init() {}
}
