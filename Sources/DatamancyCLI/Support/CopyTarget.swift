import DatamancyConfig
import DatamancyOperations
import DatamancyRepository
import DatamancySources
import Foundation

extension CommandContext {
  static let targetPasswordVariable = "DATAMANCY_BACKUP_TO_PASSWORD"

  /// Opens the repository a copy goes to: a name under `repositories:`, else a
  /// folder or `s3://` path (credentials from the AWS_* variables). Its password:
  /// the entry's `password:` reference, else DATAMANCY_BACKUP_TO_PASSWORD, else the
  /// main repository's password.
  func openCopyTarget(_ reference: String) throws -> (label: String, repository: Repository) {
    let named = config.repositories.first { $0.name == reference }
    let settings = named?.settings ?? RepositorySettings()
    let path = settings.path ?? reference
    let password: String
    if let secret = settings.password {
      do {
        password = try SecretResolver(environment: environment, runner: runner).resolve(secret)
      } catch {
        throw CLIError.usage("repositories.\(reference).password: \(error)")
      }
    } else if let value = environment[Self.targetPasswordVariable], !value.isEmpty {
      password = value
    } else {
      password = try self.password()
    }
    let repository = try Repository.open(
      storage: try storage(path: path, settings: settings), password: password)
    repository.connections = Self.connections(settings: settings, path: path)
    try repository.loadIndex()
    return (named?.name ?? path, repository)
  }
}
