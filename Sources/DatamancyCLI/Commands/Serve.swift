import ArgumentParser
import DatamancyConfig
import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

extension DatamancyBackup {
  struct Serve: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Serve /metrics and /health, and with --schedule run the schedule in this process.",
      discussion: """
        /metrics: the status as Prometheus metrics. /health: 200 when every item is fresh and \
        the newest verify and drill passed, else 503 with the reasons. --schedule runs backup, \
        verify and drill on the calendars of schedule: (for hosts and containers without systemd \
        or cron): a run never overlaps itself, and a missed run starts at once when \
        schedule.persistent is true.

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address and port to listen on (default: serve.listen, else 127.0.0.1:9469).")
    var listen: String?

    @Flag(help: "Also run the scheduled jobs.") var schedule = false

    func run(_ context: CommandContext) throws {
      let listen = self.listen ?? context.config.serveListen ?? "127.0.0.1:9469"
      guard let (host, port) = HTTPServer.address(listen) else {
        throw CLIError.usage("--listen: expected HOST:PORT, such as 127.0.0.1:9469 or [::1]:9469")
      }
      let repository = try context.openRepository()
      if schedule { try startScheduler(context, repository) }
      let status = StatusCache(maxAge: 1) {
        try context.withLock(repository, exclusive: false, command: "serve", readOnly: true) {
          try repository.loadIndex()
          return try StatusReport.build(repository, context: context.operations)
        }
      }
      let server = HTTPServer(host: host, port: port, status: status, logger: context.logger)
      context.logger.notice("serving /metrics and /health on \(listen)")
      let failure = Locked<Error?>(nil)
      let done = DispatchSemaphore(value: 0)
      Task {
        do { try await server.makeApplication().run() } catch { failure.value = error }
        done.signal()
      }
      done.wait()
      if let error = failure.value {
        throw CLIError.usage("cannot serve on \(listen): \(error)")
      }
    }

    func startScheduler(_ context: CommandContext, _ repository: Repository) throws {
      do {
        try ScheduleInstaller.check(context.operations)  // The jobs inherit this environment.
      } catch {
        throw OperationError("--schedule: a scheduled job would fail: \(error)")
      }
      let report = try StatusReport.build(repository, context: context.operations)
      let jobs = try ScheduledJob.all(context.config.schedule).map { job -> Scheduler.Job in
        let done: Date? =
          switch job.name {
          case "backup": report.lastRun?.time
          case "verify": report.lastVerify?.time
          default: report.lastDrill?.time
          }
        return Scheduler.Job(job: job, calendar: try CalendarSpec(job.calendar), lastDone: done)
      }
      Scheduler(
        jobs: jobs, binary: Schedule.Target.currentBinary(),
        config: context.configFile, runner: context.runner,
        logger: context.logger, persistent: context.config.schedule.persistent
      ).start(now: context.now)
    }
  }
}
