import DatamancyConfig
import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import DatamancyStorage
import Foundation
import Logging

/// What every command works with, built once from the global options: the
/// operations' context (configuration, environment, clock, process runner, logger),
/// whose properties read through (`context.config`), and the terminal (output,
/// prompts). Commands never wire these up themselves.
@dynamicMemberLookup
struct CommandContext {
  let global: GlobalOptions
  let operations: OperationContext

  subscript<T>(dynamicMember path: KeyPath<OperationContext, T>) -> T { operations[keyPath: path] }

  static let newPasswordVariable = "DATAMANCY_BACKUP_NEW_PASSWORD"

  init(global: GlobalOptions) throws {
    self.global = global
    let file = Self.locateConfig(global.config)
    let engines = EngineRegistry.builtIn
    let config = try file.map { try BackupConfig.load(path: $0, types: engines.types) } ?? BackupConfig()
    if let cpus = config.cpus, let file {
      try CPUPolicy.confine(to: cpus, file: file, line: config.cpusLine)
    }
    operations = OperationContext(
      config: config,
      configFile: file.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 },
      repositoryOverride: global.repo, environment: ProcessInfo.processInfo.environment,
      runner: SystemProcessRunner(),
      logger: try Self.makeLogger(verbose: global.verbose, file: config.logFile),
      now: { Date() }, host: ProcessInfo.processInfo.hostName, noLock: global.noLock,
      guardian: InterruptionGuard(), askPassword: isatty(0) != 0 ? Self.askPassword : nil, engines: engines)
  }

  /// Logs go to standard error (notices and worse, everything with --verbose) and,
  /// when `log:` names a file, also there (informational and worse).
  static func makeLogger(verbose: Bool, file: String?) throws -> Logger {
    let fileHandler = try file.map { try FileLogHandler(path: $0) }
    return Logger(label: "datamancy-backup") { label in
      var console = ConsoleLogHandler(StreamLogHandler.standardError(label: label))
      console.logLevel = verbose ? .debug : .notice
      guard let fileHandler else { return console }
      return MultiplexLogHandler([console, fileHandler])
    }
  }

  /// The explicit file, else the first default that exists; nil for an empty
  /// configuration.
  static func locateConfig(_ explicit: String?) -> String? {
    if let explicit { return explicit }
    return OperationContext.defaultConfigFiles.first {
      FileManager.default.fileExists(atPath: $0)
    }
  }

  /// The repository password, asked on the terminal (twice when `confirm`).
  @Sendable static func askPassword(confirm: Bool) throws -> String {
    try ask("Repository password: ", repeat: confirm ? "Repeat the password: " : nil)
  }

  /// A password typed on the terminal, typed again when `repeat` asks for it;
  /// refused when the two differ or it is empty.
  static func ask(_ prompt: String, repeat again: String?) throws -> String {
    let first = String(cString: getpass(prompt))
    if let again, String(cString: getpass(again)) != first {
      throw CLIError.usage("the passwords differ")
    }
    guard !first.isEmpty else { throw CLIError.usage("an empty password is not a password") }
    return first
  }

  func storage() throws -> any Storage {
    try operations.storage(path: try operations.repositoryPath(), settings: operations.config.repository)
  }

  func password(confirm: Bool = false) throws -> String { try operations.password(confirm: confirm) }

  /// A new password (key add, key passwd, user add, user passwd):
  /// DATAMANCY_BACKUP_NEW_PASSWORD, else the first line of standard input when it
  /// is not a terminal, else asked twice on the terminal.
  func newPassword() throws -> String {
    if let value = operations.environment[Self.newPasswordVariable] {
      guard !value.isEmpty else {
        throw CLIError.usage(
          "an empty password is not a password: \(Self.newPasswordVariable) is set but empty")
      }
      return value
    }
    guard isatty(0) != 0 else {
      // Piped (`pass show x | datamancy-backup user add …`): the first line of
      // standard input, without its line end.
      guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw CLIError.usage(
          "no new password: set \(Self.newPasswordVariable), give it as the first line of standard input, "
            + "or run on a terminal")
      }
      return line
    }
    return try Self.ask("New password: ", repeat: "Repeat the new password: ")
  }

  func openRepository(loadIndex: Bool = true, allowDamagedConfig: Bool = false) throws -> Repository {
    try operations.openRepository(loadIndex: loadIndex, allowDamagedConfig: allowDamagedConfig)
  }

  func withLock<T>(
    _ repository: Repository, exclusive: Bool, command: String, readOnly: Bool = false,
    _ body: () throws -> T
  ) throws -> T {
    try operations.withLock(repository, exclusive: exclusive, command: command, readOnly: readOnly, body)
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

extension CommandContext {
  /// Refuses a source name the configuration does not have, before anything
  /// runs (`recover --only`, `drill --cluster --skip`).
  func requireSources(_ names: [String], flag: String) throws {
    let known = operations.config.sources.map(\.name)
    if let unknown = names.first(where: { !known.contains($0) }) {
      throw CLIError.usage(
        "\(flag): no source '\(unknown)' in the configuration; it has \(known.joined(separator: ", "))")
    }
  }
}
