import ArgumentParser
import DatamancyConfig
import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import DatamancyStorage
import DatamancyWeb
import Foundation

/// The root command.
public struct DatamancyBackup: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "datamancy-backup",
    abstract: "Back up databases and folders into an encrypted, deduplicated repository.",
    discussion: ExitStatus.table,
    version: "datamancy-backup \(DatamancyBackup.version)",
    subcommands: [
      Init.self, Backup.self, Snapshots.self, Verify.self, Restore.self, Recover.self, Drill.self, Dump.self,
      Check.self,
      Copy.self, Forget.self, Prune.self, Tag.self, Key.self, Status.self, Schedule.self, Notify.self,
      Serve.self, Repair.self, Unlock.self, Stats.self, Version.self, Ls.self, Find.self, Diff.self,
      User.self, WalPush.self, WalFetch.self, ConfigCommand.self,
    ]
  )

  /// The release; `--version` and `version` print it.
  public static let version = "0.9.0"

  public init() {}

  /// The command a command line (after the binary's name) asks for, parsed and
  /// validated as `runAndExit` does: the options every command shares may come
  /// anywhere.
  public static func parse(commandLine arguments: [String]) throws -> any ParsableCommand {
    try parseAsRoot(GlobalOptions.hoisted(arguments))
  }

  /// Parses the command line, runs the command, and exits with the code from the
  /// exit-code table.
  public static func runAndExit() -> Never {
    Runtime.prepare()
    do {
      var command = try parse(commandLine: Array(CommandLine.arguments.dropFirst()))
      try command.run()
      Foundation.exit(ExitStatus.success.rawValue)
    } catch {
      // An interruption's cleanup (removing an unfinished restore) makes the
      // work fail under it: the interruption says what happened and exits.
      Interruption.waitIfStopping()
      if let status = error as? ExitStatus { Foundation.exit(status.rawValue) }
      if let message = Self.message(for: error) {
        Console.error("datamancy-backup: \(message.text)\n")
        Foundation.exit(message.status.rawValue)
      }
      // Help, version and argument errors, as the parser formats them.
      let code = Self.exitCode(for: error)
      let text = Self.fullMessage(for: error)
      if !text.isEmpty {
        let stream = code == .success ? FileHandle.standardOutput : FileHandle.standardError
        stream.write(Data((text + "\n").utf8))
      }
      Foundation.exit(code == .success ? 0 : ExitStatus.usage.rawValue)
    }
  }

  /// Our own errors: the one-line message and the exit status.
  static func message(for error: any Error) -> (text: String, status: ExitStatus)? {
    switch error {
    case let error as RepositoryError:
      switch error {
      case .noRepository: return (error.description, .noRepository)
      case .wrongPassword: return (error.description, .wrongPassword)
      case .locked: return (error.description, .locked)
      case .damaged: return (error.description, .damaged)
      case .notEmpty, .noSuchSet, .noSuchItem, .notAStream: return (error.description, .usage)
      default: return (error.description, .failure)
      }
    case let error as RecoveryBusy: return (error.description, .locked)
    case let error as ConfigError: return ("configuration error: \(error)", .usage)
    case let error as CLIError: return (error.description, .usage)
    case let error as OperationError: return (error.description, .usage)
    case let error as UserStore.Problem: return (error.description, .failure)
    case let error as Repository.WALConflict: return (error.description, .failure)
    case let error as BackendError: return (error.description, .usage)
    case let error as StorageError: return (error.description, .failure)
    case let error as ProcessError: return (error.description, .failure)
    case let error as ReadFailed: return (error.description, .failure)
    case let error as SourceError: return (error.description, .failure)
    case let error as DrillError: return (error.description, .failure)
    case let error as RestoreError: return (error.description, .failure)
    case let error as CopyFailed: return (error.description, .failure)
    case let error as TreePath.Invalid: return (error.description, .usage)
    case let error as FileSystem.Failure: return (error.description, .failure)
    case let error as AtomicFile.Failure: return (error.description, .failure)
    case let error as TreeBrowser.NotFound: return (error.description, .usage)
    case let error as CocoaError: return (ErrorText.describe(error), .failure)
    case let error as NSError where [NSCocoaErrorDomain, NSPOSIXErrorDomain].contains(error.domain):
      return (ErrorText.describe(error), .failure)
    default: return nil
    }
  }
}

/// A subcommand that runs with a `CommandContext`.
protocol BackupSubcommand: ParsableCommand {
  var global: GlobalOptions { get }
  func run(_ context: CommandContext) throws
}

extension BackupSubcommand {
  func run() throws { try run(try CommandContext(global: global)) }
}
