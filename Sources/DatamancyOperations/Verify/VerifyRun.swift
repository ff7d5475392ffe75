import DatamancyConfig
import DatamancyRepository
import Foundation

/// One `verify`: the set named (or the newest copy of every item) checked by the
/// configured policy under a shared, read-only lock, each set's report saved with
/// it, and the outcome notified.
public struct VerifyRun {
  public let context: OperationContext

  public init(context: OperationContext) { self.context = context }

  /// The policy: `verify:` of the configuration, each source's `rpo`.
  public var policy: VerifyPolicy { VerifyPolicy(context.config) }

  /// Verifies `set` (an id, a prefix, `latest`), or with `all` the newest copy of
  /// every item wherever it is.
  public func run(set selector: String, all: Bool) throws -> VerifyReport {
    let repository = try context.openRepository()
    let history = try repository.backups()
    let verifier = Verifier(
      repository: repository, runner: context.runner, engines: context.engines, policy: policy,
      now: context.now())
    var result = VerifyReport(time: context.now())
    let targets = all ? Verifier.newestCopies(history) : [(try repository.findSet(selector), nil)]
    try context.withLock(repository, exclusive: false, command: "verify", readOnly: true) {
      for (chosen, items) in targets {
        var part = VerifyReport(time: result.time)
        verifier.verify(chosen, items: items, history: history, into: &part)
        for source in context.config.sources where source.type == SourceType.postgresPITR.name {
          let item = "\(source.name)/cluster"
          guard chosen.items.contains(where: { $0.name == item }), items?.contains(item) ?? true else {
            continue
          }
          part.findings += WALContinuity.findings(repository, source: source.name, set: chosen, sets: history)
        }
        try context.saveReport(part, about: chosen.id, in: repository)
        result.findings += part.findings
      }
    }
    context.notifier.finished(
      RunOutcome(
        event: "verify", succeeded: result.passed, host: context.host, time: result.time,
        set: targets.count == 1 ? targets[0].0.id : nil, summary: result.brief,
        failures: result.failures.map { .init(item: $0.item, error: "\($0.check): \($0.detail)") }))
    return result
  }
}

extension VerifyReport {
  /// As `verify` prints it and notifications send it.
  public var text: String {
    var rows = [["", "item", "set", "check", "detail"]]
    for finding in findings {
      rows.append([
        finding.passed ? "ok" : "FAILED", finding.item, finding.set, finding.check, finding.detail,
      ])
    }
    let verdict =
      passed
      ? "verify passed: \(findings.count) checks"
      : "verify FAILED: \(failures.count) of \(findings.count) checks"
    return Formatting.table(rows) + "\n" + verdict
  }

  /// For notifications: the verdict, then each failed check on a line of its own.
  public var brief: String {
    let verdict =
      passed
      ? "verify passed: \(Formatting.count(findings.count, "check"))"
      : "verify FAILED: \(failures.count) of \(Formatting.count(findings.count, "check"))"
    return ([verdict] + failures.map { "✗ \($0.item) (\($0.check)): \(Formatting.short($0.detail))" })
      .joined(separator: "\n")
  }
}
