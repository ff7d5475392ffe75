import ArgumentParser
import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

extension DatamancyBackup {
  struct Status: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract:
        "One screen of health: every item's newest good copy against its RPO, the last verify and drill.",
      discussion: """
        An item is ok, late (its newest good copy is older than its source's rpo, else \
        verify.max_age), failed (its newest attempt failed) or missing (no good copy). The exit \
        code is 7 when anything is late, failed or missing, when the newest verify, drill, \
        prune or copy to any repository failed, or a WAL archive has failed pushes or gaps, \
        so status doubles as a health check. --prometheus FILE writes the metrics in \
        the Prometheus text format (atomically, for node_exporter's textfile collector).

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Also write the metrics, Prometheus text format, to this file.") var prometheus: String?

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository()
      let report = try context.withLock(repository, exclusive: false, command: "status", readOnly: true) {
        try StatusReport.build(repository, context: context.operations)
      }
      if let prometheus {
        // Readable by node_exporter, which often runs as another user.
        try AtomicFile.write(PrometheusText.render(report), to: prometheus, mode: 0o644)
      }
      if global.json {
        try context.printJSON(report)
      } else {
        context.print(Self.text(report, colour: Console.colour, next: Systemctl.nextRuns(context.operations)))
      }
      if !report.healthy { throw ExitStatus.unhealthy }
    }

    static func text(_ report: StatusReport, colour: Bool, next: String?) -> String {
      func paint(_ state: StatusReport.State) -> String {
        guard colour else { return state.rawValue }
        let code = state == .ok ? "32" : state == .late ? "33" : "31"
        return "\u{1B}[\(code)m\(state.rawValue)\u{1B}[0m"
      }
      var rows = [["state", "item", "newest good copy", "age", "rpo", "last error"]]
      for item in report.items {
        rows.append([
          item.state.rawValue, item.item, item.lastSuccess.map(Formatting.time) ?? "never",
          item.ageSeconds.map(Formatting.seconds) ?? "-", Formatting.seconds(item.rpoSeconds),
          item.lastError.map { String($0.prefix(80)) } ?? "",
        ])
      }
      var lines = Formatting.table(rows).split(separator: "\n", omittingEmptySubsequences: false).map(
        String.init)
      if colour {
        for (i, item) in report.items.enumerated() {
          lines[i + 1] = paint(item.state) + String(lines[i + 1].dropFirst(item.state.rawValue.count))
        }
      }
      func check(_ name: String, _ check: StatusReport.Check?) -> String {
        guard let check else { return "\(name): never run" }
        var text =
          "\(name): \(check.passed ? "passed" : "FAILED") at \(Formatting.time(check.time)) (set \(check.set.prefix(8)))"
        if let rto = check.rtoSeconds, let target = check.rtoTargetSeconds {
          text += ", measured RTO \(Formatting.seconds(rto)) against \(Formatting.seconds(target))"
        }
        return text
      }
      func activity(_ name: String, _ record: ActivityRecord?) -> String {
        guard let record else { return "\(name): never run" }
        let time = Formatting.time(record.time)
        return record.passed
          ? "\(name): passed at \(time) (\(record.summary))"
          : "\(name): FAILED at \(time): \(record.error.map { String($0.prefix(160)) } ?? "failed")"
      }
      lines.append("")
      if let run = report.lastRun {
        lines.append(
          "last backup: \(run.status) at \(Formatting.time(run.time)), \(run.itemsOK) ok, \(run.itemsFailed) failed"
        )
      }
      lines.append(check("last verify", report.lastVerify))
      lines.append(check("last drill", report.lastDrill))
      lines.append(activity("last prune", report.lastPrune))
      for copy in report.lastCopies { lines.append(activity("last copy to \(copy.target ?? "?")", copy)) }
      lines.append(
        "repository: \(report.sets) sets, \(Formatting.bytes(report.storedBytes)) stored for "
          + "\(Formatting.bytes(report.rawBytes)) backed up (dedup and compression \(String(format: "%.1f", report.dedupRatio))x)"
      )
      for wal in report.wal {
        lines.append(WALStatus.line(wal))
      }
      if let next { lines.append("\n" + next) }
      lines.append(report.healthy ? "healthy" : "NOT HEALTHY: see the items and checks above")
      return lines.joined(separator: "\n")
    }
  }
}
