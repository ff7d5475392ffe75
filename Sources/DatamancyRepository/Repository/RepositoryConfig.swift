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

  public init(
    id: String, created: Date, chunker: ChunkerParameters, packSize: Int, compression: Compression
  ) {
    (self.id, self.created, self.chunker, self.packSize) = (id, created, chunker, packSize)
    self.compression = compression
  }

  private enum CodingKeys: String, CodingKey {
    case version, id, created, chunker, packSize, compression, autoLevel
  }

  // `auto` is stored as `compression: "zstd:3"` with `autoLevel: true`: versions that
  // know only fixed levels ignore the key they do not know and compress at level 3,
  // instead of refusing the whole config as damaged.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    version = try container.decode(Int.self, forKey: .version)
    id = try container.decode(String.self, forKey: .id)
    created = try container.decode(Date.self, forKey: .created)
    chunker = try container.decode(ChunkerParameters.self, forKey: .chunker)
    packSize = try container.decode(Int.self, forKey: .packSize)
    compression = try container.decode(Compression.self, forKey: .compression)
    if try container.decodeIfPresent(Bool.self, forKey: .autoLevel) == true { compression = .auto }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(version, forKey: .version)
    try container.encode(id, forKey: .id)
    try container.encode(created, forKey: .created)
    try container.encode(chunker, forKey: .chunker)
    try container.encode(packSize, forKey: .packSize)
    if compression == .auto {
      try container.encode(Compression.zstd(level: 3), forKey: .compression)
      try container.encode(true, forKey: .autoLevel)
    } else {
      try container.encode(compression, forKey: .compression)
    }
  }
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
