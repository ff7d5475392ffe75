import DatamancyConfig
import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import Foundation
import Logging

/// The dashboard's state: who may log in, the sessions, the snapshot of the
/// repository, the jobs, and how to read a set's files. The routes
/// (`Dashboard+*.swift`) are built on it.
public final class Dashboard: Sendable {
  public struct Settings: Sendable {
    public var serve: ServeSettings
    /// The resolved `serve.metrics_token`.
    public var metricsToken: String?
    public var tls: Bool
    /// The configured sources' names, for the actions' choices.
    public var sources: [String]
    /// The database an item holds when it can be restored into a database
    /// server (`SourcePlanning.database(of:)`); nil for every other item.
    public var database: @Sendable (BackupItem) -> String?
    /// The calendars this server runs (`serve --schedule`); nil when it runs none.
    public var schedule: ScheduleSettings?

    public init(
      serve: ServeSettings, metricsToken: String?, tls: Bool, sources: [String],
      database: @escaping @Sendable (BackupItem) -> String?, schedule: ScheduleSettings?
    ) {
      self.database = database
      self.serve = serve
      self.metricsToken = metricsToken
      self.tls = tls
      self.sources = sources
      self.schedule = schedule
    }
  }

  let settings: Settings
  let users: UserStore
  let sessions: SessionStore
  let throttle = LoginThrottle()
  let downloads = DownloadSlots()
  let proxies: [AddressRange]
  let cache: DashboardCache
  /// The overview's parts every visitor shares, for the newest snapshot.
  let overviewParts = Locked<OverviewPage.Shared?>(nil)
  /// The Sets page's content by query, for the newest snapshot.
  let setsPages = Locked<(time: Date, bodies: [String: HTML])>((.distantPast, [:]))
  let launcher: JobLauncher
  let runner: any ProcessRunner
  /// Runs `body` with the repository under a shared lock, on the caller's thread.
  let reading: @Sendable (@escaping @Sendable (Repository) throws -> Void) throws -> Void
  /// The text of an error for a person (the command line's one-line messages).
  let describe: @Sendable (any Error) -> String
  let logger: Logger
  let now: @Sendable () -> Date

  public init(
    settings: Settings, cache: DashboardCache, launcher: JobLauncher, runner: any ProcessRunner,
    reading: @escaping @Sendable (@escaping @Sendable (Repository) throws -> Void) throws -> Void,
    describe: @escaping @Sendable (any Error) -> String, logger: Logger, now: @escaping @Sendable () -> Date
  ) throws {
    self.settings = settings
    users = UserStore(path: settings.serve.users)
    sessions = SessionStore(idle: settings.serve.sessionIdle, maximum: settings.serve.sessionMaximum)
    proxies = try settings.serve.trustedProxies.map { text in
      guard let range = AddressRange(text) else {
        throw OperationError(
          "serve.trusted_proxies: '\(text)' is not an address or a network such as 10.0.0.0/8")
      }
      return range
    }
    self.cache = cache
    self.launcher = launcher
    self.runner = runner
    self.reading = reading
    self.describe = describe
    self.logger = logger
    self.now = now
  }

  /// Refuses a listener that others could reach without TLS or a proxy in front.
  public static func checkExposure(host: String, settings: ServeSettings) throws {
    let loopback = host == "localhost" || AddressRange.isLoopback(host)
    guard loopback || settings.tlsCertificate != nil || !settings.trustedProxies.isEmpty else {
      throw OperationError(
        "serve: \(host) can be reached from other hosts, and the dashboard holds every secret of the "
          + "cluster: set serve.tls_cert and serve.tls_key, or put it behind a reverse proxy and list it "
          + "in serve.trusted_proxies, or listen on 127.0.0.1")
    }
  }
}
