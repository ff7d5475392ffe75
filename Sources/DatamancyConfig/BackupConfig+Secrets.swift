import DatamancyStorage

extension BackupConfig {
  /// A secret the configuration reads: the key that names it, and where it is.
  public struct SecretUse: Sendable, Equatable {
    public var key: String
    public var reference: SecretReference
  }

  /// Every secret reference in the configuration: those of `secretUses`, and
  /// `serve`'s own (its metrics token, which no scheduled job reads).
  public var allSecretUses: [SecretUse] {
    secretUses + (serve.metricsToken.map { [SecretUse(key: "serve.metrics_token", reference: $0)] } ?? [])
  }

  /// Every secret reference that jobs read, in file order: what a run
  /// started without this shell's environment (a timer, cron) must be given.
  public var secretUses: [SecretUse] {
    var uses: [SecretUse] = []
    func add(_ key: String, _ reference: SecretReference?) {
      if let reference { uses.append(SecretUse(key: key, reference: reference)) }
    }
    func add(_ prefix: String, _ settings: RepositorySettings) {
      add(prefix + ".password", settings.password)
      for option in StorageBackends.allOptions {
        add(prefix + "." + option.key, settings.storage[option.key]?.reference)
      }
    }
    add("repository", repository)
    for (name, settings) in repositories { add("repositories.\(name)", settings) }
    for source in sources {
      for (key, reference) in source.settings.secrets { add("sources.\(source.name).\(key)", reference) }
    }
    for (i, target) in notify.enumerated() {
      if case .secret(let reference) = target.url { add("notify.\(i).url", reference) }
    }
    return uses
  }
}
