import ArgumentParser
import DatamancyConfig
import DatamancyOperations
import DatamancyRepository
import DatamancySources
import Foundation

extension DatamancyBackup {
  struct Drill: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Prove a set restorable: restore items into scratch targets and compare them.",
      discussion: """
        Five phases per item: select; prepare a scratch target (a new, uniquely named database \
        on the source's server, or a private redis-server or slapd on a free loopback port, or \
        a folder); restore; verify (every table's rows and content checksum against the \
        fingerprints recorded at backup; LDAP entries; Redis key counts); clean up, always. \
        The measured total is compared with drill.rto (4h). The report is saved with the set.

        """ + ExitStatus.table)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The set: an id, a unique prefix of one, or 'latest'.") var set = "latest"

    @Option(help: "Drill this item (repeatable); default: drill.items, else every database item.")
    var item: [String] = []

    @Flag(help: "Drill every good item of the set, folders and command output included.") var all = false

    @Option(help: "Also write the report (JSON) to this file.") var report: String?

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository()
      let chosen = try repository.findSet(set)
      let items = try DrillPlan.select(from: chosen, names: item, all: all, context: context.operations)
      let drill = DatamancyOperations.Drill(logger: context.logger)
      let result = try context.withLock(repository, exclusive: false, command: "drill", readOnly: true) {
        () -> DrillReport in
        let drilled = items.map { item in
          let (scratch, unavailable) = DrillPlan.scratch(
            for: item, repository: repository, context: context.operations)
          return drill.run(item, of: chosen, scratch: scratch, unavailable: unavailable)
        }
        let report = DrillReport(
          time: context.now(), set: chosen.id, rtoTargetSeconds: context.config.drillRTO, items: drilled)
        try context.saveReport(report, about: chosen.id, in: repository)
        return report
      }
      if let report { try BackupSet.encoder.encode(result).write(to: URL(fileURLWithPath: report)) }
      let text = Self.text(result, set: chosen)
      context.notifier.finished(
        RunOutcome(
          event: "drill", succeeded: result.passed, host: context.host, time: result.time, set: chosen.id,
          summary: text,
          failures: result.items.filter { !$0.passed }.map {
            .init(item: $0.item, error: $0.error ?? "restored data differs from the backup's fingerprints")
          }))
      if global.json {
        try context.printJSON(result)
      } else {
        context.print(text)
      }
      if !result.passed { throw ExitStatus.drillFailed }
    }

    static func text(_ report: DrillReport, set: BackupSet) -> String {
      var lines: [String] = []
      for item in report.items {
        let phases = item.phases.map { "\($0.name) \(Formatting.seconds($0.seconds))" }
        lines.append(
          "\(item.passed ? "ok    " : "FAILED") \(item.item) → \(item.target): \(phases.joined(separator: ", "))"
        )
        var rows = [["", "table", "backup", "restored", "detail"]]
        for check in item.checks {
          rows.append([
            check.passed ? "ok" : "FAILED", check.table, check.expectedRows.map(String.init) ?? "-",
            check.foundRows.map(String.init) ?? "-", check.detail,
          ])
        }
        if rows.count > 1 {
          lines.append(
            Formatting.table(rows).split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        }
        if let error = item.error { lines.append("    error: \(error)") }
      }
      let rto =
        "measured RTO \(Formatting.seconds(report.totalSeconds)) against a target of "
        + Formatting.seconds(report.rtoTargetSeconds)
      lines.append(
        report.passed
          ? "drill passed for set \(set.shortID): \(report.items.count) items; \(rto)"
          : "drill FAILED for set \(set.shortID): "
            + "\(report.items.filter { !$0.passed }.count) of \(report.items.count) items failed; \(rto)")
      return lines.joined(separator: "\n")
    }
  }
}
