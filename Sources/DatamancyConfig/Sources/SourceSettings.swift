/// What one source's entry configures beyond its name, `rpo` and `retention`:
/// each source type (`SourceType`) reads its own kind of settings.
public protocol SourceSettings: Sendable {
  /// The secrets these settings name, each by its key under the source
  /// (`password`): what a scheduled run must be given.
  var secrets: [(key: String, reference: SecretReference)] { get }
}

extension SourceSettings {
  public var secrets: [(key: String, reference: SecretReference)] { [] }
}

/// Settings that reach a server through a `Connection`, whose password is their
/// one secret.
public protocol ConnectionSettings: SourceSettings {
  var connection: Connection { get }
}

extension ConnectionSettings {
  public var secrets: [(key: String, reference: SecretReference)] {
    connection.password.map { [("password", $0)] } ?? []
  }
}
