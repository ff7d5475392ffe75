import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// Any program whose standard output is the item (`command: [pg_dumpall]`).
/// A non-zero exit, a signal or no output at all makes the item failed.
public struct CommandSource: SourcePlanner {
  public var name: String
  public var argv: [String]
  public var runner: any ProcessRunner

  public init(name: String, argv: [String], runner: any ProcessRunner) {
    self.name = name
    self.argv = argv
    self.runner = runner
  }

  public func items() throws -> [PlannedItem] {
    let argv = self.argv
    let runner = self.runner
    return [
      PlannedItem(name: name, source: name, format: .stream, content: .commandOutput) {
        ProcessOutputStream(
          process: try runner.start(argv, environment: [:], captureOutput: true, feedInput: false))
      }
    ]
  }
}
