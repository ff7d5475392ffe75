import DatamancyConfig
import DatamancyRepository
import DatamancySources

/// `type: command`: a program whose standard output is the item.
struct CommandEngine: SourceEngine {
  var type: SourceType { .command }
  /// A command may print anything: a dump it prints is checked as one.
  var contentChecks: [ItemContent: ContentCheck] { [.commandOutput: .byFirstBytes] }

  func planner(_ source: ConfiguredSource<CommandSettings>, context: OperationContext) -> any SourcePlanner {
    CommandSource(name: source.name, argv: source.settings.argv, runner: context.runner)
  }
}
