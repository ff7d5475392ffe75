import Crypto
import Foundation
import _CryptoExtras

/// One key file, `keys/<id>`: the master key wrapped under a password-derived key.
///
/// File layout (UTF-8 text, two lines):
///
///     {"version":1,"created":...,"host":...,"kdf":{...},"wrapped":"<base64>"}
///     <hex HMAC-SHA-256 of the first line's bytes under MasterKey.keyFileMAC>
///
/// `wrapped` is `Sealing.seal(masterSecret)` under scrypt(password, salt, N, r, p)
/// with the key-file context. The second line lets `check` authenticate every key
/// file, including ones whose password it does not know.
public struct KeyFile: Codable, Sendable {
  public struct KDF: Codable, Sendable, Equatable {
    public var name = "scrypt"
    /// scrypt cost N (a power of two), block size r and parallelism p.
    public var n: Int
    /// What one attempt costs, for trying the cheapest key first.
    var work: Int { n * r * p }
    public var r: Int
    public var p: Int
    /// 32 random bytes, base64.
    public var salt: String

    /// The default cost: N = 2^15 with r = 8 needs 32 MiB, so no command's peak
    /// memory is set by the key derivation; p = 3 makes it about 0.3 s here.
    public static let defaultCost = 1 << 15
    public static let defaultParallelism = 3
    public static let defaultBlockSize = 8
  }

  public var version = 1
  public var created: Date
  public var host: String
  public var kdf: KDF
  public var wrapped: String

  /// Wraps `master` under `password`.
  static func make(master: MasterKey, password: String, cost: Int, created: Date, host: String)
    throws -> KeyFile
  {
    var salt = [UInt8](repeating: 0, count: 32)
    for i in salt.indices { salt[i] = UInt8.random(in: 0...255) }
    let kdf = KDF(
      n: cost, r: KDF.defaultBlockSize, p: KDF.defaultParallelism, salt: Data(salt).base64EncodedString())
    let wrapping = try derive(password: password, kdf: kdf)
    let sealed = try Sealing.seal(master.secretBytes, key: wrapping, context: Sealing.Context.keyFile)
    return KeyFile(created: created, host: host, kdf: kdf, wrapped: sealed.base64EncodedString())
  }

  static func derive(password: String, kdf: KDF) throws -> SymmetricKey {
    guard kdf.name == "scrypt", let salt = Data(base64Encoded: kdf.salt) else {
      throw RepositoryError.damaged(file: "keys", reason: "unknown key derivation \(kdf.name)")
    }
    return try _CryptoExtras.KDF.Scrypt.deriveKey(
      from: Data(password.utf8), salt: salt, outputByteCount: 32, rounds: kdf.n,
      blockSize: kdf.r, parallelism: kdf.p)
  }

  /// The master key, or nil when the password does not open this key file.
  func unwrap(password: String) -> MasterKey? {
    guard let sealed = Data(base64Encoded: wrapped),
      let wrapping = try? Self.derive(password: password, kdf: kdf),
      let secret = try? Sealing.open(sealed, key: wrapping, context: Sealing.Context.keyFile),
      secret.count == 32
    else { return nil }
    return MasterKey(secret: SymmetricKey(data: secret))
  }

  /// The file's bytes: the JSON line and its MAC line.
  func encoded(master: MasterKey) throws -> Data {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = .sortedKeys
    let json = try encoder.encode(self)
    let mac = HMAC<SHA256>.authenticationCode(for: json, using: master.keyFileMAC)
    return json + Data("\n".utf8) + Data((Data(mac).hexString + "\n").utf8)
  }

  /// Parses a key file's bytes; throws when they do not match the file's name
  /// (the hash of its content) or are not a key file.
  static func decode(_ data: Data, name: String) throws -> (KeyFile, json: Data, mac: [UInt8]) {
    guard Repository.isNamedByContent(data, name: name) else {
      throw RepositoryError.damaged(file: name, reason: "its content does not match its name")
    }
    let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    guard lines.count == 2, let mac = [UInt8](hex: String(decoding: lines[1], as: UTF8.self)),
      let file = try? decoder.decode(KeyFile.self, from: Data(lines[0]))
    else { throw RepositoryError.damaged(file: name, reason: "not a readable key file") }
    return (file, Data(lines[0]), mac)
  }

  /// Whether the file's MAC line matches its JSON line under `master`.
  static func isAuthentic(json: Data, mac: [UInt8], master: MasterKey) -> Bool {
    HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: json, using: master.keyFileMAC)
  }
}
