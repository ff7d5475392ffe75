import DatamancyStorage
import Foundation

/// Why a repository operation failed. Each message says what failed, where, and
/// what to do; the CLI maps each case to one exit code.
public enum RepositoryError: Error, CustomStringConvertible {
  /// No repository at the location (no config file).
  case noRepository(location: String)
  /// `init` was pointed at a folder that already has files.
  case notEmpty(location: String)
  /// No key file opens with the given password.
  case wrongPassword(location: String, damagedKeys: [String] = [])
  /// A repository file failed to decrypt, authenticate or parse.
  case damaged(file: String, reason: String)
  /// Another process holds a lock that conflicts with ours.
  case locked(holder: String)
  /// No set matches a selector.
  case noSuchSet(selector: String)
  /// A set does not contain the requested item.
  case noSuchItem(set: String, item: String)
  /// The storage failed.
  case storage(StorageError)
  /// The operation would lose something that must stay (the last key, ...).
  case refused(reason: String)
  /// An operation on one byte stream was asked of a file tree item.
  case notAStream(item: String)

  public var description: String {
    switch self {
    case .noRepository(let location):
      return
        "no repository at '\(location)': run 'datamancy-backup init' or check repository.path (or --repo)"
    case .notEmpty(let location):
      return "'\(location)' is not empty: init creates a repository only in a new or empty folder"
    case .wrongPassword(let location, let damagedKeys):
      let damage =
        damagedKeys.isEmpty
        ? "" : " (damaged key files, which may hold it: \(damagedKeys.joined(separator: ", ")))"
      return
        "wrong password for the repository at '\(location)': no key file opens with it\(damage); check repository.password or DATAMANCY_BACKUP_PASSWORD"
    case .damaged(let file, let reason):
      return "repository file '\(file)' is damaged: \(reason); " + Self.advice(forDamaged: file)
    case .locked(let holder):
      return
        "the repository is locked by \(holder); wait for it to finish. If that process is gone, "
        + "'datamancy-backup unlock' removes stale locks (one not refreshed for 30 minutes, or of a "
        + "process of this host that no longer runs); 'unlock --all' removes every lock"
    case .noSuchSet(let selector):
      return "no backup set matches '\(selector)'; run 'datamancy-backup snapshots' to list them"
    case .noSuchItem(let set, let item):
      return "set \(set) has no item '\(item)'; run 'datamancy-backup snapshots' to list its items"
    case .storage(let error):
      return error.description
    case .refused(let reason):
      return reason
    case .notAStream(let item):
      return
        "\(item) is a file tree, not one stream: restore it with --to, list it with 'ls', "
        + "or dump one file with --path"
    }
  }
}

extension RepositoryError {
  /// What to do about a damaged file: what brings it back depends on its kind,
  /// and advice that leads to a command failing the same way is no advice.
  static func advice(forDamaged file: String) -> String {
    if file.hasPrefix("keys/") {
      return "restore the key file from a copy of the repository (an offsite copy, a backup of its keys/ "
        + "folder), or use the password of another key ('key list' shows them)"
    }
    if file == "config" {
      return "restore 'config' from a copy of the repository (an offsite copy, a backup of the folder): "
        + "no command can read the data without it ('check' still lists what else is damaged)"
    }
    if file.hasPrefix("snapshots/") {
      return
        "the other sets are unaffected; 'datamancy-backup forget \((file as NSString).lastPathComponent.prefix(8))' "
        + "removes this one"
    }
    return "run 'datamancy-backup check --read-data' to list all damage, then 'datamancy-backup repair' "
      + "(docs/operations.md, \"A damaged repository\")"
  }
}

/// Runs `body`, turning a `StorageError` into a `RepositoryError`.
func storageCall<T>(_ body: () throws -> T) throws -> T {
  do { return try body() } catch let error as StorageError { throw RepositoryError.storage(error) }
}
