import DatamancyConfig
import DatamancyRepository
import DatamancySources
import DatamancyStorage
import Foundation

extension OperationContext {
  public static let passwordVariable = "DATAMANCY_BACKUP_PASSWORD"
  public static let repositoryVariable = "DATAMANCY_BACKUP_REPOSITORY"
  /// Where a configuration is looked for when none is named, in order.
  public static let defaultConfigFiles = ["./datamancy-backup.yml", "/etc/datamancy-backup/config.yml"]
  public static let targetPasswordVariable = "DATAMANCY_BACKUP_TO_PASSWORD"
  /// The systemd credential `schedule install` provides (`LoadCredential=`).
  public static let passwordCredential = "repository-password"

  /// The repository's path: `--repo`, else DATAMANCY_BACKUP_REPOSITORY, else
  /// `repository.path`.
  public func repositoryPath() throws -> String {
    if let path = repositoryOverride ?? environment[Self.repositoryVariable].flatMap({ $0.isEmpty ? nil : $0 }
    )
      ?? config.repository.path
    {
      return path
    }
    let file =
      configFile.map { "set repository.path in \($0)" }
      ?? "no configuration file was found (looked for \(Self.defaultConfigFiles.joined(separator: " and ")))"
    throw OperationError("no repository given: \(file), set \(Self.repositoryVariable), or pass --repo")
  }

  /// The storage at `path`, opened by its backend with `settings`' options:
  /// each as the configuration sets it (secrets resolved), else from its
  /// environment variable (S3: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
  /// AWS_SESSION_TOKEN).
  public func storage(path: String, settings: RepositorySettings) throws -> any Storage {
    let location = try StorageBackends.location(path)
    var values: [String: BackendValue] = [:]
    for option in type(of: location).options {
      switch settings.storage[option.key] {
      case .value(let value): values[option.key] = value
      case .secret(let reference): values[option.key] = .text(try secrets.resolve(reference))
      case nil:
        if let variable = option.variable, let value = secrets.variable(variable), !value.isEmpty {
          values[option.key] = .text(value)
        }
      }
    }
    return try location.open(BackendValues(values))
  }

  /// The password: the configured secret reference, else the systemd credential,
  /// else DATAMANCY_BACKUP_PASSWORD, else `askPassword` (twice when `confirm`).
  /// Wherever it comes from, an empty one is refused.
  public func password(confirm: Bool = false) throws -> String {
    let (password, origin) = try passwordAndOrigin(confirm: confirm)
    guard !password.isEmpty else {
      throw OperationError("an empty password is not a password: \(origin) is empty")
    }
    return password
  }

  func passwordAndOrigin(confirm: Bool) throws -> (String, String) {
    if let reference = config.repository.password {
      do {
        return (try secrets.resolve(reference), "repository.password (\(reference))")
      } catch {
        throw OperationError("repository.password: \(error)")
      }
    }
    if let value = secrets.credential(Self.passwordCredential) {
      return (value, "the systemd credential \(Self.passwordCredential)")
    }
    if let value = secrets.variable(Self.passwordVariable) { return (value, Self.passwordVariable) }
    guard let askPassword else {
      throw OperationError(
        "no password: set repository.password in the configuration or \(Self.passwordVariable)")
    }
    return (try askPassword(confirm), "the password typed")
  }

  /// Opens the repository and reads its index; engine warnings go to the log.
  public func openRepository(loadIndex: Bool = true, allowDamagedConfig: Bool = false) throws -> Repository {
    let path = try repositoryPath()
    let repository = try Repository.open(
      storage: try storage(path: path, settings: config.repository), password: try password(),
      allowDamagedConfig: allowDamagedConfig)
    repository.connections = try Self.connections(settings: config.repository, path: path)
    let logger = self.logger
    repository.warn = { logger.warning("\($0)") }
    if loadIndex { try repository.loadIndex() }
    return repository
  }

  /// `connections`, else the backend's default (8 on S3, 2 on a folder).
  public static func connections(settings: RepositorySettings, path: String) throws -> Int {
    try settings.connections ?? StorageBackends.backend(of: path).defaultConnections
  }

  /// Opens the repository a copy goes to: a name under `repositories:`, else a
  /// folder or `s3://` path (credentials from the AWS_* variables). Its password:
  /// the entry's `password:` reference, else DATAMANCY_BACKUP_TO_PASSWORD, else the
  /// main repository's password.
  public func openCopyTarget(_ reference: String) throws -> (label: String, repository: Repository) {
    let named = config.repositories.first { $0.name == reference }
    let settings = named?.settings ?? RepositorySettings()
    let path = settings.path ?? reference
    let password: String
    if let secret = settings.password {
      do {
        password = try secrets.resolve(secret)
      } catch {
        throw OperationError("repositories.\(reference).password: \(error)")
      }
    } else if let value = secrets.variable(Self.targetPasswordVariable), !value.isEmpty {
      password = value
    } else {
      password = try self.password()
    }
    let repository = try Repository.open(
      storage: try storage(path: path, settings: settings), password: password)
    repository.connections = try Self.connections(settings: settings, path: path)
    try repository.loadIndex()
    return (named?.name ?? path, repository)
  }
}
