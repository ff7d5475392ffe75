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
        06:00 UTC. The services read the repository password through LoadCredential= from \
        \(SystemdUnits.credentialSource); a failed run starts datamancy-notify@.service.

        """ + ExitStatus.reference,
      subcommands: [Install.self, Show.self, Remove.self])

    /// Where the files go, under `root`.
    struct Target: ParsableArguments {
      @Flag(help: "Write a cron file (/etc/cron.d) instead of systemd units.") var cron = false
      @Option(help: "Write under this folder instead of / (packaging, tests); runs no systemctl.")
      var root: String?
      @Option(help: "The binary the jobs run (default: this one).") var binary: String?

      var prefix: String { root.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? "" }
      var systemdFolder: String { prefix + ScheduleFiles.systemdFolder }
      var cronFile: String { prefix + ScheduleFiles.cronFile }

      /// Path → content of every file the schedule consists of.
      func files(_ context: CommandContext) throws -> [(path: String, content: String)] {
        try ScheduleFiles.files(
          cron: cron, root: prefix, binary: binary ?? Self.currentBinary(), context: context.operations)
      }

      static func currentBinary() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
          ?? "/usr/local/bin/datamancy-backup"
      }
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
        let files = try target.files(context)
        if dryRun {
          for file in files { context.print("# \(file.path)\n\(file.content)") }
          return
        }
        for file in files {
          try FileManager.default.createDirectory(
            atPath: (file.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
          try file.content.write(toFile: file.path, atomically: true, encoding: .utf8)
          context.print("wrote \(file.path)")
        }
        if target.root == nil && !target.cron {
          try Systemctl.run(["daemon-reload"], context.operations)
          try Systemctl.run(
            ["enable", "--now"] + ScheduledJob.all(context.config.schedule).map { $0.unit + ".timer" },
            context.operations)
        }
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
        let units = ScheduledJob.all(context.config.schedule).map(\.unit)
        if target.root == nil,
          FileManager.default.fileExists(atPath: target.systemdFolder + "/datamancy-backup.timer")
        {
          try? Systemctl.run(["disable", "--now"] + units.map { $0 + ".timer" }, context.operations)
        }
        let paths =
          units.flatMap { [target.systemdFolder + "/\($0).service", target.systemdFolder + "/\($0).timer"] }
          + [target.systemdFolder + "/datamancy-notify@.service", target.cronFile]
        for path in paths where FileManager.default.fileExists(atPath: path) {
          try FileManager.default.removeItem(atPath: path)
          context.print("removed \(path)")
        }
        if target.root == nil {
          try? Systemctl.run(["daemon-reload"], context.operations)
          return
        }
        // Under --root, also the folders install made, when nothing else is in them.
        for folder in [
          target.systemdFolder, target.prefix + "/etc/systemd", target.prefix + "/etc/cron.d",
          target.prefix + "/etc",
        ]
        where (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty == true {
          try FileManager.default.removeItem(atPath: folder)
        }
      }
    }
  }
}
