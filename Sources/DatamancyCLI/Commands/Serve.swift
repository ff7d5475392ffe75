import ArgumentParser
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

        """ + ExitStatus.table)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address and port to listen on (default: serve.listen, else 127.0.0.1:9469).")
    var listen: String?

    @Flag(help: "Also run the scheduled jobs.") var schedule = false

    func run(_ context: CommandContext) throws {
      let listen = self.listen ?? context.config.serveListen ?? "127.0.0.1:9469"
      let parts = listen.split(separator: ":")
      guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) else {
        throw CLIError.usage("--listen: expected HOST:PORT, such as 127.0.0.1:9469")
      }
      let repository = try context.openRepository()
      let server = try MetricsServer(host: String(parts[0]), port: port)
      if schedule { try startScheduler(context, repository) }
      context.logger.notice("serving /metrics and /health on \(listen)")
      server.serve { path in
        switch path {
        case "/metrics", "/health":
          do {
            let report = try context.withLock(repository, exclusive: false, command: "serve") {
              () throws -> StatusReport in
              try repository.loadIndex()
              return try Status.build(repository, context)
            }
            if path == "/metrics" {
              return .init(
                status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                body: PrometheusText.render(report))
            }
            let problems =
              report.items.filter { $0.state != .ok }.map { "\($0.item): \($0.state.rawValue)" }
              + (report.lastVerify?.passed == false ? ["last verify failed"] : [])
              + (report.lastDrill?.passed == false ? ["last drill failed"] : [])
            return report.healthy
              ? .init(status: 200, body: "ok\n")
              : .init(status: 503, body: problems.joined(separator: "\n") + "\n")
          } catch {
            return .init(status: 503, body: "\(DatamancyBackup.message(for: error)?.text ?? "\(error)")\n")
          }
        default:
          return .init(status: 404, body: "not found: try /metrics or /health\n")
        }
      }
    }

    func startScheduler(_ context: CommandContext, _ repository: Repository) throws {
      let report = try Status.build(repository, context)
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
