import Crypto
import Foundation
import _CryptoExtras

/// Dashboard passwords as scrypt hashes: `scrypt$LOG2N$R$P$SALT$HASH` (salt and
/// hash in base64), the same key derivation the repository's key files use.
public enum PasswordHash {
  /// scrypt cost: N = 2^15, r = 8 (32 MiB, about 0.1 s here), enough to make an
  /// offline guess cost what a login costs.
  public static let defaultLogCost = 15

  public static func make(_ password: String, logCost: Int = defaultLogCost) throws -> String {
    let salt = Data((0..<16).map { _ in UInt8.random(in: 0...255) })
    let hash = try derive(password, salt: salt, logCost: logCost, r: 8, p: 1)
    return "scrypt$\(logCost)$8$1$\(salt.base64EncodedString())$\(hash.base64EncodedString())"
  }

  /// True when `password` gives `stored`. Compares in constant time; a malformed
  /// hash never matches.
  public static func matches(_ password: String, _ stored: String) -> Bool {
    let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
    guard parts.count == 6, parts[0] == "scrypt", let logCost = Int(parts[1]), (10...22).contains(logCost),
      let r = Int(parts[2]), (1...32).contains(r), let p = Int(parts[3]), (1...16).contains(p),
      let salt = Data(base64Encoded: String(parts[4])), let expected = Data(base64Encoded: String(parts[5])),
      expected.count == 32,
      let found = try? derive(password, salt: salt, logCost: logCost, r: r, p: p)
    else { return false }
    return constantTimeEqual(Array(found), Array(expected))
  }

  /// Spends the time a real check spends, for a user name that does not exist, so
  /// the answer's timing does not tell which names do.
  public static let decoy = (try? make(UUID().uuidString)) ?? ""

  public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
  }

  static func derive(_ password: String, salt: Data, logCost: Int, r: Int, p: Int) throws -> Data {
    let key = try KDF.Scrypt.deriveKey(
      from: Data(password.utf8), salt: salt, outputByteCount: 32, rounds: 1 << logCost, blockSize: r,
      parallelism: p)
    return key.withUnsafeBytes { Data($0) }
  }
}
