import DatamancyConfig
import DatamancySources
import DatamancyStorage
import Foundation

/// The secrets a scheduled run needs. A timer or cron starts the jobs without the
/// installing shell's environment, so every variable the configuration reads
/// (`{ env: NAME }`, DATAMANCY_BACKUP_PASSWORD, the AWS_* credentials of an S3
/// repository) is stored as a credential file, readable by root only, that systemd
/// hands the units (`LoadCredential=`) and cron names (`CREDENTIALS_DIRECTORY`);
/// `SecretResolver.variable` reads it there. Secret files must be readable;
/// secret commands run at their time.
public struct ScheduleSecrets: Sendable {
  public static let folder = "/etc/datamancy-backup/credentials"
  /// Where the repository password was read from before the credentials folder.
  public static let legacyPassword = "/etc/datamancy-backup/password"

  /// A credential the units load: its file name, and the value to write (nil
  /// keeps the file already there).
  public struct Credential: Sendable {
    public var name: String
    public var value: String?
    /// The variable it came from, for messages.
    public var variable: String
  }

  public var credentials: [Credential] = []
  /// What cannot be provided, one sentence each naming the key and the way.
  public var missing: [String] = []

  /// What the configuration reads, found in `environment` or already under
  /// `root` + `folder`.
  public init(_ context: OperationContext, root: String) {
    let existing = root + Self.folder
    func need(_ name: String, variable: String, usedBy key: String, optional: Bool = false) {
      guard !credentials.contains(where: { $0.name == name }) else { return }
      if let value = context.environment[variable], !value.isEmpty {
        credentials.append(Credential(name: name, value: value, variable: variable))
      } else if FileManager.default.fileExists(atPath: existing + "/" + name) {
        credentials.append(Credential(name: name, value: nil, variable: variable))
      } else if name == OperationContext.passwordCredential,
        let data = FileManager.default.contents(atPath: root + Self.legacyPassword)
      {
        credentials.append(Credential(name: name, value: SecretResolver.trimmed(data), variable: variable))
      } else if !optional {
        missing.append(
          "\(key) reads \(variable), which is not set here: export it before 'schedule install' "
            + "(it is stored, readable by root only, as \(Self.folder)/\(name)), or write it to that file")
      }
    }
    let config = context.config
    for use in config.secretUses {
      switch use.reference {
      case .env(let name): need(name, variable: name, usedBy: use.key)
      case .file(let path) where !FileManager.default.isReadableFile(atPath: path):
        missing.append("\(use.key) reads the file \(path), which cannot be read")
      case .file, .command: break
      }
    }
    if config.repository.password == nil {
      need(
        OperationContext.passwordCredential, variable: OperationContext.passwordVariable,
        usedBy: "the repository password")
    }
    // What each repository's backend reads from the environment when its
    // configuration does not set it (S3's credentials).
    for (label, settings) in [("repository", config.repository)]
      + config.repositories.map({ ("repositories.\($0.name)", $0.settings) })
    {
      guard let path = settings.path, let backend = try? StorageBackends.backend(of: path) else { continue }
      for option in backend.options where settings.storage[option.key] == nil {
        guard let variable = option.variable else { continue }
        need(variable, variable: variable, usedBy: "\(label).\(option.key)", optional: option.optional)
      }
    }
    if !config.copyTo.isEmpty {
      let variable = OperationContext.targetPasswordVariable
      need(variable, variable: variable, usedBy: "copy_to", optional: true)
    }
  }
}
