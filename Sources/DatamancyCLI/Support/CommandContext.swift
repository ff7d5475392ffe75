import DatamancyConfig
import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import DatamancyStorage
import Foundation
import Logging

/// What every command works with, built once from the global options: the
/// configuration, the environment, the clock, the process runner, the logger, and
/// (on demand) the repository. Commands never wire these up themselves.
struct CommandContext {
  let global: GlobalOptions
  let config: BackupConfig
  /// The configuration file read, as an absolute path (scheduled jobs run from
  /// another folder); nil when none exists.
  let configFile: String?
  let environment: [String: String]
  let runner: ProcessRunner
  let logger: Logger
  let now: () -> Date
  let host: String

  static let passwordVariable = "DATAMANCY_BACKUP_PASSWORD"
  static let newPasswordVariable = "DATAMANCY_BACKUP_NEW_PASSWORD"

  init(global: GlobalOptions) throws {
    self.global = global
    environment = ProcessInfo.processInfo.environment
    let file = Self.locateConfig(global.config)
    config = try file.map { try BackupConfig.load(path: $0) } ?? BackupConfig()
    if let cpus = config.cpus, let file {
      try Scheduling.confine(to: cpus, file: file, line: config.cpusLine)
    }
    configFile = file.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
    runner = SystemProcessRunner()
    self.logger = try Self.makeLogger(verbose: global.verbose, file: config.logFile)
    now = { Date() }
    host = ProcessInfo.processInfo.hostName
  }

  /// Logs go to standard error (notices and worse, everything with --verbose) and,
  /// when `log:` names a file, also there (informational and worse).
  static func makeLogger(verbose: Bool, file: String?) throws -> Logger {
    let fileHandler = try file.map { try FileLogHandler(path: $0) }
    return Logger(label: "datamancy-backup") { label in
      var console = StreamLogHandler.standardError(label: label)
      console.logLevel = verbose ? .debug : .notice
      guard let fileHandler else { return console }
      return MultiplexLogHandler([console, fileHandler])
    }
  }

  /// The explicit file, else the first default that exists; nil for an empty
  /// configuration.
  static func locateConfig(_ explicit: String?) -> String? {
    if let explicit { return explicit }
    return ["datamancy-backup.yml", "/etc/datamancy-backup/config.yml"].first {
      FileManager.default.fileExists(atPath: $0)
    }
  }

  /// The repository's storage, from --repo or repository.path.
  func storage() throws -> Storage {
    guard let path = global.repo ?? config.repository.path else {
      throw CLIError.usage(
        "no repository given: set repository.path in the configuration or pass --repo PATH")
    }
    return try storage(path: path, settings: config.repository)
  }

  /// A folder, or `s3://BUCKET/PREFIX` with the settings' endpoint and credentials.
  func storage(path: String, settings: RepositorySettings) throws -> Storage {
    if path.hasPrefix("s3://") { return try s3Storage(path, settings: settings) }
    return LocalStorage(root: path)
  }

  /// `s3://BUCKET/PREFIX` with the repository's endpoint, region and credentials.
  func s3Storage(_ path: String, settings: RepositorySettings) throws -> Storage {
    let rest = path.dropFirst("s3://".count).split(separator: "/", maxSplits: 1).map(String.init)
    guard let bucket = rest.first, !bucket.isEmpty else {
      throw CLIError.usage("repository.path: expected s3://BUCKET/PREFIX")
    }
    let endpointText = settings.endpoint ?? "https://s3.\(settings.region ?? "us-east-1").amazonaws.com"
    guard let endpoint = URL(string: endpointText), endpoint.host != nil else {
      throw CLIError.usage("repository.endpoint: '\(endpointText)' is not a URL")
    }
    let secrets = SecretResolver(environment: environment, runner: runner)
    func credential(_ reference: SecretReference?, _ variable: String) throws -> String? {
      if let reference { return try secrets.resolve(reference) }
      return environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }
    guard let accessKey = try credential(settings.accessKey, "AWS_ACCESS_KEY_ID"),
      let secretKey = try credential(settings.secretKey, "AWS_SECRET_ACCESS_KEY")
    else {
      throw CLIError.usage(
        "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or repository.access_key and secret_key"
      )
    }
    var s3 = S3Storage.Settings(
      endpoint: endpoint, bucket: bucket, prefix: rest.count > 1 ? rest[1] : "",
      region: settings.region ?? "us-east-1", pathStyle: settings.pathStyle ?? (settings.endpoint != nil),
      accessKey: accessKey, secretKey: secretKey, sessionToken: environment["AWS_SESSION_TOKEN"])
    if let timeout = settings.timeout { s3.requestTimeout = timeout }
    s3.caFile = settings.caFile
    // Object storage fails now and then (5xx, 429, dropped connections): retried.
    return RetryingStorage(try S3Storage(s3))
  }

  /// The password: the configured secret reference, else the systemd credential,
  /// else DATAMANCY_BACKUP_PASSWORD, else a prompt on the terminal.
  func password(confirm: Bool = false) throws -> String {
    if let reference = config.repository.password {
      do {
        return try SecretResolver(environment: environment, runner: runner).resolve(reference)
      } catch {
        throw CLIError.usage("repository.password: \(error)")
      }
    }
    // A systemd service's LoadCredential= (schedule install sets it up).
    if let folder = environment["CREDENTIALS_DIRECTORY"],
      let data = FileManager.default.contents(atPath: folder + "/" + SystemdUnits.credential)
    {
      let text = String(decoding: data, as: UTF8.self)
      return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
    if let value = environment[Self.passwordVariable], !value.isEmpty { return value }
    guard isatty(0) != 0 else {
      throw CLIError.usage(
        "no password: set repository.password in the configuration or \(Self.passwordVariable)")
    }
    let first = String(cString: getpass("Repository password: "))
    if confirm {
      guard String(cString: getpass("Repeat the password: ")) == first else {
        throw CLIError.usage("the passwords differ")
      }
    }
    guard !first.isEmpty else { throw CLIError.usage("the password is empty") }
    return first
  }

  /// A new password (key add, key passwd): DATAMANCY_BACKUP_NEW_PASSWORD, else asked
  /// twice on the terminal.
  func newPassword() throws -> String {
    if let value = environment[Self.newPasswordVariable], !value.isEmpty { return value }
    guard isatty(0) != 0 else {
      throw CLIError.usage("no new password: set \(Self.newPasswordVariable), or run on a terminal")
    }
    let first = String(cString: getpass("New password: "))
    guard String(cString: getpass("Repeat the new password: ")) == first else {
      throw CLIError.usage("the passwords differ")
    }
    guard !first.isEmpty else { throw CLIError.usage("the password is empty") }
    return first
  }

  /// Opens the repository and reads its index.
  func openRepository(loadIndex: Bool = true, allowDamagedConfig: Bool = false) throws -> Repository {
    let repository = try Repository.open(
      storage: try storage(), password: try password(), allowDamagedConfig: allowDamagedConfig)
    repository.connections = Self.connections(
      settings: config.repository, path: global.repo ?? config.repository.path ?? "")
    let logger = self.logger
    repository.warn = { logger.warning("\($0)") }
    if loadIndex { try repository.loadIndex() }
    return repository
  }

  /// `connections`, else 8 for S3 (requests wait on the network) and 1 for a folder.
  static func connections(settings: RepositorySettings, path: String) -> Int {
    settings.connections ?? (path.hasPrefix("s3://") ? 8 : 1)
  }

  /// Takes a lock for the duration of `body`. A `readOnly` command (one that writes
  /// nothing into the repository) runs without a lock when the storage refuses the
  /// lock file (a read-only mount, WORM storage, read-only credentials), with one
  /// warning, or when `--no-lock` asks for it.
  func withLock<T>(
    _ repository: Repository, exclusive: Bool, command: String, readOnly: Bool = false,
    _ body: () throws -> T
  ) throws -> T {
    if global.noLock {
      guard readOnly else {
        throw CLIError.usage("--no-lock: '\(command)' writes to the repository and must lock it")
      }
      return try body()
    }
    let lock: RepositoryLock
    do {
      lock = try RepositoryLock.acquire(
        repository, exclusive: exclusive, command: command, now: now(), host: host,
        onLost: { Interruption.abort("datamancy-backup: \(command) stopped: \($0)") })
    } catch RepositoryError.storage(let error) where readOnly && error.isDenied {
      logger.warning(
        "the repository cannot be written (\(error)); \(command) runs without a lock")
      return try body()
    }
    defer { lock.release() }
    return try Interruption.whileRunning(cleanup: lock.release, body)
  }

  /// Saves a verify or drill report about a set. A repository that cannot be
  /// written (read-only) gets a warning instead: the results are printed anyway.
  func saveReport(_ report: some Encodable, about set: String, in repository: Repository) throws {
    do {
      try repository.saveReport(try BackupSet.encoder.encode(report), about: set)
    } catch RepositoryError.storage(let error) where error.isDenied {
      logger.warning("the report could not be saved: the repository cannot be written (\(error))")
    }
  }

  /// The configured notification targets.
  var notifier: Notifier {
    Notifier(
      targets: config.notify, runner: runner,
      secrets: SecretResolver(environment: environment, runner: runner),
      logger: logger)
  }

  /// Writes a line to standard output.
  func print(_ text: String) {
    Console.out(text + "\n")
  }

  /// Prints `value` as JSON.
  func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    Console.out(try encoder.encode(value) + Data("\n".utf8))
  }
}

/// A command-line mistake, reported with exit code 2.
enum CLIError: Error, CustomStringConvertible {
  case usage(String)

  var description: String {
    switch self {
    case .usage(let message): return message
    }
  }
}
