import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Check: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Check the repository's integrity.",
      discussion: "Without --read-data: every key, index and set file authenticates, every chunk a set "
        + "names is indexed, every indexed pack exists. With --read-data: also reads every pack and "
        + "authenticates every chunk.\n\n" + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Read and authenticate every byte of data.") var readData = false

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository(loadIndex: false, allowDamagedConfig: true)
      let progress = Progress(verb: "checking", items: 0, enabled: Progress.enabled(global) && readData)
      var checker = Checker(repository: repository)
      checker.onBytes = { progress.add(bytes: $0) }
      let report = try context.withLock(repository, exclusive: false, command: "check", readOnly: true) {
        try checker.check(readData: readData)
      }
      progress.finish()
      if global.json {
        try context.printJSON(report)
      } else {
        for finding in report.notes { context.print("note: \(finding)") }
        for finding in report.warnings { context.print("warning: \(finding)") }
        for finding in report.errors { context.print("error: \(finding)") }
        context.print(
          "\(report.keyFiles) keys, \(report.indexFiles) index files, \(report.packs) packs, \(report.sets) sets"
            + (readData ? ", \(report.chunksRead) chunks (\(Formatting.bytes(report.bytesRead))) read" : "")
            + (report.passed ? ": no errors" : ": \(report.errors.count) errors"))
      }
      if !report.passed { throw ExitStatus.damaged }
    }
  }
}
