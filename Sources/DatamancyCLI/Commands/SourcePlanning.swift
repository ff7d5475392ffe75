import DatamancyConfig
import DatamancySources

/// Turns configured sources into planners.
enum SourcePlanning {
  static func planner(for source: SourceConfig, runner: ProcessRunner) -> SourcePlanner {
    switch source.kind {
    case .files(let paths, let exclude):
      return FilesSource(name: source.name, paths: paths, exclude: exclude, runner: runner)
    case .command(let argv):
      return CommandSource(name: source.name, argv: argv, runner: runner)
    }
  }
}
