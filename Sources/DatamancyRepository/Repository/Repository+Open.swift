import Crypto
import DatamancyStorage
import Foundation

extension Repository {
  /// Creates a repository in empty storage: a config file and one key file.
  public static func initialize(
    storage: any Storage, password: String, options: InitOptions, now: Date, host: String
  ) throws -> Repository {
    let existing = try storageCall { try storage.list(prefix: "") }
    guard existing.isEmpty else { throw RepositoryError.notEmpty(location: storage.location) }
    let master = MasterKey.generate()
    let config = RepositoryConfig(
      id: (0..<16).map { _ in UInt8.random(in: 0...255) }.hexString, created: now,
      chunker: options.chunker, packSize: options.packSize, compression: options.compression)
    let keyFile = try KeyFile.make(
      master: master, password: password, cost: options.kdfCost, created: now, host: host)
    let keyName = try addKeyFile(keyFile, master: master, storage: storage)
    let sealed = try Sealing.seal(
      try BackupSet.encoder.encode(config), key: master.encryption, context: Sealing.Context.config)
    // The config is written last: a killed init leaves no repository, only a key.
    try storageCall { try storage.put("config", data: sealed) }
    return Repository(storage: storage, master: master, config: config, keyName: keyName)
  }

  /// Opens a repository with a password: tries every key file, then reads the config.
  /// With `allowDamagedConfig` (for `check`), a config that cannot be read is
  /// recorded in `configDamage` and defaults stand in for it, so what else can be
  /// checked still is.
  public static func open(storage: any Storage, password: String, allowDamagedConfig: Bool = false) throws
    -> Repository
  {
    do {
      _ = try storage.stat("config")
    } catch let error as StorageError where error.isNotFound {
      throw RepositoryError.noRepository(location: storage.location)
    } catch let error as StorageError {
      throw RepositoryError.storage(error)
    }
    let keyNames = try storageCall { try storage.list(prefix: "keys/") }.sorted()
    var damaged: [String] = []
    var keys: [(name: String, file: KeyFile, json: Data, mac: [UInt8])] = []
    for name in keyNames {
      // A key file is named by the hash of its bytes, so damage shows before
      // the password is even tried.
      guard let bytes = try? storageCall({ try storage.get(name) }),
        let (file, json, mac) = try? KeyFile.decode(bytes, name: name)
      else {
        damaged.append(name)
        continue
      }
      keys.append((name, file, json, mac))
    }
    // The cheapest key first: a key made for wal-push (a random password, a low
    // scrypt cost) opens in milliseconds, and a wrong guess at it costs as little.
    for (name, file, json, mac) in keys.sorted(by: { $0.file.kdf.work < $1.file.kdf.work }) {
      guard let master = file.unwrap(password: password) else { continue }
      guard KeyFile.isAuthentic(json: json, mac: mac, master: master) else {
        throw RepositoryError.damaged(file: name, reason: "its MAC does not match its content")
      }
      do {
        let config = try readConfig(storage: storage, master: master)
        return Repository(storage: storage, master: master, config: config, keyName: name)
      } catch RepositoryError.damaged(_, let reason) where allowDamagedConfig {
        let stand = RepositoryConfig(
          id: "", created: Date(timeIntervalSince1970: 0), chunker: .default,
          packSize: RepositoryConfig.defaultPackSize, compression: .default)
        let repository = Repository(storage: storage, master: master, config: stand, keyName: name)
        repository.configDamage = reason
        return repository
      }
    }
    if let first = damaged.first, damaged.count == keyNames.count {
      throw RepositoryError.damaged(file: first, reason: "no key file is intact")
    }
    throw RepositoryError.wrongPassword(location: storage.location, damagedKeys: damaged)
  }

  /// Reads and opens the `config` file.
  static func readConfig(storage: any Storage, master: MasterKey) throws -> RepositoryConfig {
    let configData: Data
    do {
      configData = try Sealing.open(
        try storageCall { try storage.get("config") }, key: master.encryption,
        context: Sealing.Context.config)
    } catch let error as RepositoryError {
      throw error
    } catch {
      throw RepositoryError.damaged(file: "config", reason: "it fails authentication")
    }
    guard let config = try? BackupSet.decoder.decode(RepositoryConfig.self, from: configData) else {
      throw RepositoryError.damaged(file: "config", reason: "it is not a readable configuration")
    }
    return config
  }

  /// Adds a key file that opens the repository with `password`; returns its name.
  @discardableResult
  public func addKey(password: String, cost: Int, now: Date, host: String) throws -> String {
    let file = try KeyFile.make(master: master, password: password, cost: cost, created: now, host: host)
    return try Self.addKeyFile(file, master: master, storage: storage)
  }

  /// Stores a key file; returns its name.
  static func addKeyFile(_ file: KeyFile, master: MasterKey, storage: any Storage) throws -> String {
    let bytes = try file.encoded(master: master)
    let name = "keys/" + Data(SHA256.hash(data: bytes)).hexString
    try storageCall { try storage.put(name, data: bytes) }
    return name
  }
}
