import DatamancyRepository
import Foundation

/// One `drill`: the chosen items of a set restored into scratch targets and
/// compared under a shared, read-only lock, the report saved with the set, and the
/// outcome notified.
public struct DrillRun {
  public let context: OperationContext

  public init(context: OperationContext) { self.context = context }

  /// Drills `set` (an id, a prefix, `latest`): the items named, else `drill.items`,
  /// else every database item; with `all`, every good item.
  public func run(set selector: String, items names: [String], all: Bool) throws -> DrillReport {
    let repository = try context.openRepository()
    let chosen = try repository.findSet(selector, holding: names)
    let items = try DrillPlan.select(from: chosen, names: names, all: all, context: context)
    let drill = Drill(logger: context.logger)
    let report = try context.withLock(repository, exclusive: false, command: "drill", readOnly: true) {
      let drilled = items.map { item in
        let (scratch, unavailable) = DrillPlan.scratch(for: item, repository: repository, context: context)
        return drill.run(item, of: chosen, scratch: scratch, unavailable: unavailable)
      }
      let report = DrillReport(
        time: context.now(), set: chosen.id, rtoTargetSeconds: context.config.drillRTO, items: drilled)
      try context.saveReport(report, about: chosen.id, in: repository)
      return report
    }
    context.notifier.finished(
      RunOutcome(
        event: "drill", succeeded: report.passed, host: context.host, time: report.time, set: chosen.id,
        summary: report.brief,
        failures: report.items.filter { !$0.passed }.map {
          .init(item: $0.item, error: $0.error ?? "restored data differs from the backup's fingerprints")
        }))
    return report
  }
}

extension DrillReport {
  /// As `drill` prints it and notifications send it.
  public var text: String {
    var lines: [String] = []
    for item in items {
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
      "measured RTO \(Formatting.seconds(totalSeconds)) against a target of \(Formatting.seconds(rtoTargetSeconds))"
    let shortSet = set.prefix(8)
    lines.append(
      passed
        ? "drill passed for set \(shortSet): \(items.count) items; \(rto)"
        : "drill FAILED for set \(shortSet): \(items.filter { !$0.passed }.count) of \(items.count) items failed; \(rto)"
    )
    return lines.joined(separator: "\n")
  }

  /// For notifications: the verdict and RTO, then each failed item on a line of its own.
  public var brief: String {
    let verdict = passed ? "drill passed" : "drill FAILED"
    var lines = [
      "\(verdict) for set \(set.prefix(8)): \(Formatting.count(items.count, "item"))",
      "RTO \(Formatting.seconds(totalSeconds)) (target \(Formatting.seconds(rtoTargetSeconds)))",
    ]
    for item in items where !item.passed {
      lines.append(
        "✗ \(item.item): \(Formatting.short(item.error ?? "restored data differs from the backup"))")
    }
    return lines.joined(separator: "\n")
  }
}
