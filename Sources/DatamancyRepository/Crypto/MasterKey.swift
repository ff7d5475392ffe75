import Crypto
import Foundation

/// The repository's secret: 32 random bytes from which every working key is derived
/// with HKDF-SHA-256, one `info` label per purpose, so no key serves two purposes.
///
/// Key files wrap this secret under password-derived keys; changing a password
/// rewraps it and leaves all data untouched.
public struct MasterKey: Sendable {
  /// The raw secret. Never logged, never written unwrapped.
  let secret: SymmetricKey

  /// AES-256-GCM key for chunks, pack headers, index files, sets, config and locks.
  public let encryption: SymmetricKey
  /// HMAC-SHA-256 key that turns plaintext into chunk ids.
  public let chunkID: SymmetricKey
  /// Seed of the chunker's gear table.
  public let gearSeed: SymmetricKey
  /// HMAC-SHA-256 key that authenticates key files as a whole.
  public let keyFileMAC: SymmetricKey

  /// A fresh random secret, for `init`.
  public static func generate() -> MasterKey {
    MasterKey(secret: SymmetricKey(size: .bits256))
  }

  init(secret: SymmetricKey) {
    self.secret = secret
    func derive(_ label: String) -> SymmetricKey {
      HKDF<SHA256>.deriveKey(
        inputKeyMaterial: secret, info: Data(("datamancy-backup " + label).utf8),
        outputByteCount: 32)
    }
    encryption = derive("encryption")
    chunkID = derive("chunk id")
    gearSeed = derive("gear table")
    keyFileMAC = derive("key file mac")
  }

  /// The id of a chunk of plaintext.
  public func id(of bytes: UnsafeRawBufferPointer) -> ChunkID {
    let mac = HMAC<SHA256>.authenticationCode(for: bytes, using: chunkID)
    return mac.withUnsafeBytes { ChunkID(bytes: $0) }
  }

  /// The raw secret's bytes, only for wrapping it into a key file.
  var secretBytes: Data { secret.withUnsafeBytes { Data($0) } }
}
