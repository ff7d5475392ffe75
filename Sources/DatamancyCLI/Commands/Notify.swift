import ArgumentParser
import DatamancyOperations
import DatamancySources
import Foundation

extension DatamancyBackup {
  struct Notify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Send a notification through the configured targets (OnFailure= of the scheduled units).",
      discussion:
        "Needs no repository: it reports that a unit failed, with the end of its journal when available.\n\n"
        + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("failed-unit"), help: "The systemd unit that failed.") var failedUnit: String?

    @Option(help: "Send this text as a failure instead.") var message: String?

    func run() throws {
      let context = try CommandContext(global: global)
      guard !context.config.notify.isEmpty else {
        throw CLIError.usage("no notification targets: add 'notify:' to the configuration")
      }
      var summary = message ?? "a run failed"
      if let failedUnit {
        summary = "systemd unit \(failedUnit) failed"
        if let journal = try? context.runner.output([
          "journalctl", "--unit", failedUnit, "-n", "20", "--no-pager",
        ]).text {
          summary += "\n\n" + journal
        }
      }
      context.notifier.finished(
        RunOutcome(
          event: failedUnit == nil ? "message" : "unit", succeeded: false, host: context.host,
          time: context.now(),
          set: nil, summary: summary, failures: []))
    }
  }
}
