import Crypto
import DatamancyPOSIX
import DatamancyStorage
import Foundation

/// An open repository: its storage, its master key, its settings and its index.
///
/// Storage layout (see docs/repository-format.md):
///
///     config              sealed RepositoryConfig (JSON)
///     keys/<id>           key files (master key wrapped by a password)
///     data/<xx>/<id>      pack files
///     index/<id>          index files
///     snapshots/<id>      backup sets (sealed JSON)
///     locks/<id>          locks (sealed JSON)
public final class Repository: @unchecked Sendable {
  public let storage: any Storage
  public let master: MasterKey
  public let config: RepositoryConfig
  /// The name of the key file the password opened.
  public let keyName: String
  public internal(set) var index = RepositoryIndex()
  /// Storage requests a backup or a restore keeps in flight at once (pack uploads,
  /// chunk reads): 1 suits a local disk, more hides the latency of object storage.
  public var connections = 1
  /// Why the `config` file could not be read, when it was opened for `check` anyway.
  public internal(set) var configDamage: String?
  /// Receives warnings the engine meets on the way (a damaged set skipped).
  public var warn: (@Sendable (String) -> Void)?
  /// Damaged files already warned about.
  let warnedFiles = Locked<Set<String>>([])
  /// Decompression contexts for reading tree objects, shared by every walk.
  let treeDecompressors = Pool { ZstdDecompressor() }

  init(storage: any Storage, master: MasterKey, config: RepositoryConfig, keyName: String) {
    self.storage = storage
    self.master = master
    self.config = config
    self.keyName = keyName
    chunker = Chunker(parameters: config.chunker, seed: master.gearSeed)
  }

  /// The repository's chunker, made once (its gear table costs 64 HMACs).
  public let chunker: Chunker

  /// Seals `plaintext` and stores it under `folder/<sha256 of the sealed bytes>`.
  func putSealed(_ plaintext: some DataProtocol, folder: String, context: Data) throws -> String {
    let sealed = try Sealing.seal(plaintext, key: master.encryption, context: context)
    let id = Data(SHA256.hash(data: sealed)).hexString
    try storageCall { try storage.put("\(folder)/\(id)", data: sealed) }
    return id
  }

  /// Whether `name`'s last component is the SHA-256 of `bytes`, as for every
  /// content-named file (keys, packs, index files, sets, reports).
  static func isNamedByContent(_ bytes: Data, name: String) -> Bool {
    Data(SHA256.hash(data: bytes)).hexString == (name as NSString).lastPathComponent
  }

  /// Reads and opens a sealed file, checking its name is the hash of its bytes
  /// when `named` is true.
  func getSealed(_ name: String, context: Data, named: Bool = true) throws -> Data {
    let sealed = try storageCall { try storage.get(name) }
    if named, !Self.isNamedByContent(sealed, name: name) {
      throw RepositoryError.damaged(file: name, reason: "its content does not match its name")
    }
    do {
      return try Sealing.open(sealed, key: master.encryption, context: context)
    } catch {
      throw RepositoryError.damaged(file: name, reason: "it fails authentication")
    }
  }

  /// Opens a chunk's sealed bytes read from its pack; a failure names the pack.
  /// `recomputeID`: see `PackFormat.openChunk`.
  func openChunk(
    _ sealed: Data, at location: ChunkLocation, decompressor: ZstdDecompressor, recomputeID: Bool
  ) throws -> Data {
    do {
      return try PackFormat.openChunk(
        sealed, entry: location.entry, master: master, decompressor: decompressor,
        recomputeID: recomputeID)
    } catch {
      throw RepositoryError.damaged(
        file: PackFormat.name(of: location.pack),
        reason:
          "chunk \(location.entry.id.hex.prefix(16)) at offset \(location.entry.offset) fails authentication")
    }
  }
}
