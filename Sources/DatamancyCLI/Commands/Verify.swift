import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import DatamancySources
import Foundation

extension DatamancyBackup {
  struct Verify: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Check that a backup set is fresh, complete and restorable.",
      discussion: """
        For each item: the age of its newest good copy against its source's rpo (else \
        verify.max_age, 36h); a non-zero size and no shrink beyond verify.shrink (50%) since \
        the previous set; its integrity through its engine's tool (pg_restore --list and the \
        recorded fingerprints, the MariaDB trailer, redis-check-rdb, LDIF, tar); every chunk \
        read and authenticated. The report is saved with the set.

        """ + ExitStatus.table)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The set: an id, a unique prefix of one, or 'latest'.") var set = "latest"

    @Flag(help: "Verify the newest copy of every item, whichever set holds it.") var all = false

    @Option(help: "Also write the report (JSON) to this file.") var report: String?

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository()
      let history = try repository.sets()
      var policy = VerifyPolicy()
      if let maxAge = context.config.verifyMaxAge { policy.maxAge = maxAge }
      if let shrink = context.config.verifyShrink { policy.shrink = shrink }
      for source in context.config.sources { policy.rpo[source.name] = source.rpoSeconds }
      let verifier = Verifier(
        repository: repository, runner: context.runner, policy: policy, now: context.now())
      var result = VerifyReport(time: context.now())
      let targets = all ? Verifier.newestCopies(history) : [(try repository.findSet(set), nil)]
      try context.withLock(repository, exclusive: false, command: "verify", readOnly: true) {
        for (chosen, items) in targets {
          var part = VerifyReport(time: result.time)
          verifier.verify(chosen, items: items, history: history, into: &part)
          try context.saveReport(part, about: chosen.id, in: repository)
          result.findings += part.findings
        }
      }
      let json = try BackupSet.encoder.encode(result)
      if let report { try json.write(to: URL(fileURLWithPath: report)) }
      let text = Self.text(result)
      context.notifier.finished(
        RunOutcome(
          event: "verify", succeeded: result.passed, host: context.host, time: result.time,
          set: targets.count == 1 ? targets[0].0.id : nil, summary: text,
          failures: result.failures.map { .init(item: $0.item, error: "\($0.check): \($0.detail)") }))
      if global.json {
        try context.printJSON(result)
      } else {
        context.print(text)
      }
      if !result.passed { throw ExitStatus.verifyFailed }
    }

    static func text(_ report: VerifyReport) -> String {
      var rows = [["", "item", "set", "check", "detail"]]
      for finding in report.findings {
        rows.append([
          finding.passed ? "ok" : "FAILED", finding.item, finding.set, finding.check, finding.detail,
        ])
      }
      let verdict =
        report.passed
        ? "verify passed: \(report.findings.count) checks"
        : "verify FAILED: \(report.failures.count) of \(report.findings.count) checks"
      return Formatting.table(rows) + "\n" + verdict
    }
  }
}
