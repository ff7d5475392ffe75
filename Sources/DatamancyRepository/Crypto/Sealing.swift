import Crypto
import Foundation

/// AES-256-GCM sealing of every encrypted object in the repository.
///
/// Layout of a sealed object: `nonce (12 bytes) | ciphertext | tag (16 bytes)`,
/// 28 bytes longer than the plaintext. Nonces are 96 random bits from the system's
/// CSPRNG for every seal; see docs/repository-format.md for why they do not repeat.
/// The associated data binds an object to its role (a chunk to its id, an index
/// file to "index"), so one object cannot be swapped for another.
enum Sealing {
  static let overhead = 28

  static func seal(
    _ plaintext: some DataProtocol, key: SymmetricKey, context: some DataProtocol
  ) throws -> Data {
    try AES.GCM.seal(plaintext, using: key, authenticating: context).combined!
  }

  /// Opens a sealed object; throws `CryptoKitError.authenticationFailure` when any
  /// byte of it (or of the context) differs from what was sealed.
  static func open(
    _ sealed: some DataProtocol, key: SymmetricKey, context: some DataProtocol
  ) throws -> Data {
    let box = try AES.GCM.SealedBox(combined: sealed)
    return try AES.GCM.open(box, using: key, authenticating: context)
  }

  /// Associated data for each role.
  enum Context {
    static let config = Data("datamancy config v1".utf8)
    static let packHeader = Data("datamancy pack header v1".utf8)
    static let index = Data("datamancy index v1".utf8)
    static let set = Data("datamancy set v1".utf8)
    static let lock = Data("datamancy lock v1".utf8)
    static let keyFile = Data("datamancy key v1".utf8)
    static let report = Data("datamancy report v1".utf8)
    static let activity = Data("datamancy activity v1".utf8)
  }
}
