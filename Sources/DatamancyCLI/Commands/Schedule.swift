import ArgumentParser
import DatamancyConfig
import DatamancyOperations
import DatamancySources
import Foundation

extension DatamancyBackup {
  struct Schedule: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Install, show or remove the timers (or cron file) that run backup, verify and drill.",
      discussion: """
        Calendars come from schedule: in the configuration (systemd calendar syntax); defaults: \
        backup daily 02:00 UTC, verify Sunday 04:00 UTC, drill the first Sunday of the month \
        06:00 UTC. A timer or cron starts the jobs without this shell's environment: install \
        stores every variable the configuration reads (DATAMANCY_BACKUP_PASSWORD, { env: NAME } \
        references, AWS_* for S3) as a root-only file in \(ScheduleSecrets.folder), which the \
        units load with LoadCredential= and the cron file names, refuses when one is not set, \
        and checks that a job with only those opens the repository. Installing one kind \
        removes the other. A failed run starts datamancy-notify@.service.

        """ + ExitStatus.reference,
      subcommands: [Install.self, Show.self, Remove.self])

    /// Where the files go, under `root`.
    struct Target: ParsableArguments {
      @Flag(help: "Write a cron file (/etc/cron.d) instead of systemd units.") var cron = false
      @Option(help: "Write under this folder instead of / (packaging, tests); runs no systemctl.")
      var root: String?
      @Option(help: "The binary the jobs run (default: this one).") var binary: String?

      var prefix: String { root.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? "" }

      func installer(_ context: CommandContext) -> ScheduleInstaller {
        ScheduleInstaller(
          context: context.operations, cron: cron, root: prefix, binary: binary ?? Self.currentBinary())
      }

      static func currentBinary() -> String { JobCommand.currentBinary() }
    }

    struct Install: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Write the units (or cron file) and enable them.")
      @OptionGroup var global: GlobalOptions
      @OptionGroup var target: Target
      @Flag(name: .customLong("dry-run"), help: "Print what would be written, and write nothing.")
      var dryRun = false

      func run() throws {
        let context = try CommandContext(global: global)
        let installer = target.installer(context)
        guard !dryRun else {
          for file in try installer.files() {
            context.print(
              file.secret ? "# \(file.path) (0600; a secret, not shown)" : "# \(file.path)\n\(file.content)")
          }
          return
        }
        for line in try installer.install() { context.print(line) }
      }
    }

    struct Show: ParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Show the schedule and the next runs.")
      @OptionGroup var global: GlobalOptions

      func run() throws {
        let context = try CommandContext(global: global)
        for job in ScheduledJob.all(context.config.schedule) {
          context.print("\(job.unit): \(job.calendar) — \(job.description)")
        }
        if let next = Systemctl.nextRuns(context.operations) { context.print(next) }
      }
    }

    struct Remove: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Disable and delete the units and the cron file.")
      @OptionGroup var global: GlobalOptions
      @OptionGroup var target: Target

      func run() throws {
        let context = try CommandContext(global: global)
        for line in try target.installer(context).removeAll() { context.print(line) }
        guard target.root != nil else { return }
        // Under --root, also the folders install made, when nothing else is in them.
        let prefix = target.prefix
        for folder in [
          prefix + ScheduleFiles.systemdFolder, prefix + "/etc/systemd", prefix + "/etc/cron.d",
          prefix + "/etc/logrotate.d", prefix + "/etc/datamancy-backup", prefix + "/etc",
        ]
        where (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty == true {
          try FileManager.default.removeItem(atPath: folder)
        }
      }
    }
  }
}
