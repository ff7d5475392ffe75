import ArgumentParser
import DatamancyConfig
import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import DatamancyWeb
import Foundation

extension DatamancyBackup {
  struct Serve: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Serve the web dashboard, /metrics and /health; with --schedule also run the schedule.",
      discussion: """
        The dashboard (behind a login: see 'user add') shows every item against its RPO, the \
        sets and their files, drills table by table, the repository's growth and the runs, and \
        lets operators back up, verify, drill and restore. /metrics: the status as Prometheus \
        metrics; /health: 200 when every item is fresh and the newest verify and drill passed, \
        else 503 with the reasons (both open to loopback clients, else serve.metrics_token). \
        It listens on 127.0.0.1:9469 by default, and refuses another address without TLS \
        (serve.tls_cert, serve.tls_key) or serve.trusted_proxies. --schedule runs backup, \
        verify and drill on the calendars of schedule: (for hosts and containers without \
        systemd or cron): a run never overlaps another of its kind, scheduled or started from \
        the dashboard, and a missed run starts at once when schedule.persistent is true.

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address and port to listen on (default: serve.listen, else 127.0.0.1:9469).")
    var listen: String?

    @Flag(help: "Also run the scheduled jobs.") var schedule = false

    func validate() throws {
      if let listen, WebServer.address(listen) == nil { throw Self.badListen }
    }

    static let badListen = ValidationError(
      "--listen: expected HOST:PORT, such as 127.0.0.1:9469 or [::1]:9469")

    func run(_ context: CommandContext) throws {
      MemoryTuning.applyForServer()
      let settings = context.config.serve
      let listen = self.listen ?? settings.listen ?? "127.0.0.1:9469"
      // serve.listen comes from the configuration: checked here, not in validate().
      guard let (host, port) = WebServer.address(listen) else { throw Self.badListen }
      try Dashboard.checkExposure(host: host, settings: settings)
      let token = try settings.metricsToken.map { try context.operations.secrets.resolve($0) }
      let repository = try context.openRepository()
      let launcher = JobLauncher(
        binary: Schedule.Target.currentBinary(), config: context.configFile, runner: context.runner,
        logger: context.logger, now: context.now)
      if schedule { try startScheduler(context, repository, launcher) }
      let dashboard = try Dashboard(
        settings: .init(
          serve: settings, metricsToken: token, tls: settings.tlsCertificate != nil,
          sources: context.config.sources.map(\.name),
          database: { [operations = context.operations] in
            SourcePlanning.database(of: $0, context: operations)?.1
          },
          schedule: schedule ? context.config.schedule : nil),
        cache: Self.cache(context, repository), launcher: launcher, runner: context.runner,
        reading: Self.reader(context, repository),
        describe: { DatamancyBackup.message(for: $0)?.text ?? "\($0)" }, logger: context.logger,
        now: context.now)
      let server = WebServer(host: host, port: port, dashboard: dashboard, logger: context.logger)
      let application = try Self.application(server)
      do {
        if try UserStore(path: settings.users).load().isEmpty {
          context.logger.warning(
            "the dashboard has no user yet: 'datamancy-backup user add NAME --role admin' adds one (\(settings.users))"
          )
        }
      } catch {
        context.logger.error("\(error): nobody can log in to the dashboard until it is mended")
      }
      context.logger.notice("serving the dashboard, /metrics and /health on \(listen)")
      let failure = Locked<(any Error)?>(nil)
      let done = DispatchSemaphore(value: 0)
      Task {
        do { try await application.run() } catch { failure.value = error }
        done.signal()
      }
      done.wait()
      if let error = failure.value {
        throw CLIError.usage("cannot serve on \(listen): \(error)")
      }
    }
  }
}
