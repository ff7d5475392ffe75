import DatamancyConfig
import DatamancySources

/// Turns configured sources into planners.
enum SourcePlanning {
  static func planner(for source: SourceConfig, context: CommandContext) -> SourcePlanner {
    let runner = context.runner
    let secrets = SecretResolver(environment: context.environment, runner: runner)
    switch source.kind {
    case .files(let paths, let exclude):
      return FilesSource(name: source.name, paths: paths, exclude: exclude, runner: runner)
    case .command(let argv):
      return CommandSource(name: source.name, argv: argv, runner: runner)
    case .postgres(let settings):
      return PostgresSource(name: source.name, settings: settings, runner: runner, secrets: secrets)
    case .mariadb(let settings):
      return MariaDBSource(name: source.name, settings: settings, runner: runner, secrets: secrets)
    case .ldap(let settings):
      return LDAPSource(name: source.name, settings: settings, runner: runner, secrets: secrets)
    case .redis(let settings):
      return RedisSource(name: source.name, settings: settings, runner: runner, secrets: secrets)
    }
  }
}
