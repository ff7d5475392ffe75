import DatamancyConfig
import DatamancyPOSIX
import DatamancySources
import Foundation
import Logging

/// What every operation works with, built once by its caller (the command line,
/// the web): the configuration, the environment, the clock, the process runner,
/// the logger, and how a run is guarded against interruption. Nothing in the
/// operations reads these from the process itself.
public struct OperationContext: Sendable {
  public let config: BackupConfig
  /// The configuration file read, as an absolute path; nil when none exists.
  public let configFile: String?
  /// `--repo`, which replaces `repository.path`.
  public let repositoryOverride: String?
  public let environment: [String: String]
  public let runner: any ProcessRunner
  public let secrets: SecretResolver
  public let logger: Logger
  public let now: @Sendable () -> Date
  public let host: String
  /// Read without locking (`--no-lock`), for operations that write nothing.
  public let noLock: Bool
  public let guardian: any RunGuard
  /// Asks for the repository password when nothing else gives it (a terminal),
  /// twice when `confirm` (a new repository); nil where nobody can be asked.
  public let askPassword: (@Sendable (_ confirm: Bool) throws -> String)?
  /// The engines behind the configuration's source types.
  public let engines: EngineRegistry

  public init(
    config: BackupConfig, configFile: String?, repositoryOverride: String?, environment: [String: String],
    runner: any ProcessRunner, logger: Logger, now: @escaping @Sendable () -> Date, host: String,
    noLock: Bool, guardian: any RunGuard, askPassword: (@Sendable (_ confirm: Bool) throws -> String)?,
    engines: EngineRegistry = .builtIn
  ) {
    self.engines = engines
    self.config = config
    self.configFile = configFile
    self.repositoryOverride = repositoryOverride
    self.environment = environment
    self.runner = runner
    secrets = SecretResolver(environment: environment, runner: runner)
    self.logger = logger
    self.now = now
    self.host = host
    self.noLock = noLock
    self.guardian = guardian
    self.askPassword = askPassword
  }

  /// The same context with another configuration (`drill --cluster`: the
  /// sources pointed at stand-in servers).
  public func with(config: BackupConfig) -> OperationContext {
    OperationContext(
      config: config, configFile: configFile, repositoryOverride: repositoryOverride,
      environment: environment,
      runner: runner, logger: logger, now: now, host: host, noLock: noLock, guardian: guardian,
      askPassword: askPassword, engines: engines)
  }

  /// The configuration's `{ env }` and `{ file }` secrets (those `including`
  /// picks) that cannot be read, each as "key: why". Secret commands are left
  /// out: they run when their secret is needed.
  /// `in` checks other uses (those of a configuration restored from a set) with
  /// this host's environment.
  public func secretProblems(
    in uses: [BackupConfig.SecretUse]? = nil, including: (BackupConfig.SecretUse) -> Bool = { _ in true }
  ) -> [String] {
    (uses ?? config.secretUses).filter(including).compactMap { use in
      if case .command = use.reference { return nil }
      do {
        _ = try secrets.resolve(use.reference)
        return nil
      } catch {
        return "\(use.key): \(error)"
      }
    }
  }

  /// The configured notification targets.
  public var notifier: Notifier {
    Notifier(targets: config.notify, runner: runner, secrets: secrets, logger: logger)
  }
}

/// How a run is guarded: what must be undone if the process is interrupted, and
/// how it stops when it must (a lock it can no longer refresh).
public protocol RunGuard: Sendable {
  /// Runs `body` with `cleanup` registered for an interruption.
  func whileRunning<T>(cleanup: @escaping @Sendable () -> Void, _ body: () throws -> T) rethrows -> T
  /// Stops the process: the tools it started, the registered cleanups, then exits.
  func abort(_ message: String) -> Never
}

/// An operation cannot run as configured or asked; nothing ran (exit code 2).
public struct OperationError: Error, CustomStringConvertible {
  public var description: String

  public init(_ description: String) { self.description = description }
}
