import Foundation

/// One key file, as `key list` shows it.
public struct KeyInfo: Sendable, Encodable {
  /// The key file's name without `keys/`.
  public var id: String
  public var created: Date
  public var host: String
  /// Whether this key opened the repository.
  public var current: Bool
}

extension Repository {
  /// Every key file, oldest first.
  public func keys() throws -> [KeyInfo] {
    try storageCall { try storage.list(prefix: "keys/") }.map { name in
      let (file, _, _) = try KeyFile.decode(try storageCall { try storage.get(name) }, name: name)
      return KeyInfo(
        id: (name as NSString).lastPathComponent, created: file.created, host: file.host,
        current: name == keyName)
    }.sorted { ($0.created, $0.id) < ($1.created, $1.id) }
  }

  /// Whether a key file reads, parses and carries a MAC made with this master key.
  func isAuthenticKeyFile(_ name: String) -> Bool {
    guard let data = try? storage.get(name),
      let (_, json, mac) = try? KeyFile.decode(data, name: name)
    else { return false }
    return KeyFile.isAuthentic(json: json, mac: mac, master: master)
  }

  /// Removes the key whose id starts with `selector`; never the last one.
  public func removeKey(_ selector: String) throws {
    let all = try keys()
    let matches = all.filter { $0.id.hasPrefix(selector.lowercased()) }
    guard matches.count == 1, !selector.isEmpty else {
      throw RepositoryError.refused(
        reason: "no single key matches '\(selector)'; run 'datamancy-backup key list' to see them")
    }
    guard all.count > 1 else {
      throw RepositoryError.refused(
        reason: "this is the repository's last key; add another first (without a key the data is lost)")
    }
    try storageCall { try storage.delete("keys/" + matches[0].id) }
  }

  /// Replaces the key that opened the repository with one for `password`: the
  /// master key is wrapped again, no data is touched. The new key is stored
  /// before the old one is removed, so a crash leaves both, never neither.
  @discardableResult
  public func changePassword(to password: String, cost: Int, now: Date, host: String) throws -> String {
    let added = try addKey(password: password, cost: cost, now: now, host: host)
    if added != keyName { try storageCall { try storage.delete(keyName) } }
    return added
  }
}
