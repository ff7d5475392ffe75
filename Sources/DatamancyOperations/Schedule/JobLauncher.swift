import DatamancyPOSIX
import Foundation
import Logging

/// Starts jobs as child processes of this binary with the same configuration, for
/// the schedule inside `serve` and for the dashboard's actions alike, so a job
/// started from the web runs exactly like a scheduled one (same locks, reports,
/// notifications). Never two jobs of one kind at once; the last runs and their
/// output are kept for the dashboard.
public final class JobLauncher: Sendable {
  public struct Busy: Error, CustomStringConvertible {
    public var kind: String
    public var description: String { "a \(kind) is already running; wait for it to finish" }
  }

  /// Runs kept for the dashboard.
  static let history = 50

  private let binary: String
  private let config: String?
  private let runner: any ProcessRunner
  private let logger: Logger
  private let now: @Sendable () -> Date
  private let state = Locked<(runs: [RunLog], running: Set<String>, next: Int)>(([], [], 1))

  public init(
    binary: String, config: String?, runner: any ProcessRunner, logger: Logger,
    now: @escaping @Sendable () -> Date
  ) {
    self.binary = binary
    self.config = config
    self.runner = runner
    self.logger = logger
    self.now = now
  }

  /// The runs, newest first.
  public var runs: [RunLog] { state.value.runs.reversed() }

  public func run(id: Int) -> RunLog? { state.value.runs.first { $0.id == id } }

  public func isRunning(_ kind: String) -> Bool { state.value.running.contains(kind) }

  /// Starts `arguments` (a subcommand and its options) in the background; throws
  /// `Busy` while a job of the same kind runs. `done` is called when it ends.
  @discardableResult
  public func launch(
    kind: String, arguments: [String], startedBy: String, done: (@Sendable (RunLog) -> Void)? = nil
  ) throws -> RunLog {
    let log = try state.withLock { state -> RunLog in
      guard state.running.insert(kind).inserted else { throw Busy(kind: kind) }
      let log = RunLog(id: state.next, kind: kind, arguments: arguments, startedBy: startedBy, started: now())
      state.next += 1
      state.runs.append(log)
      if state.runs.count > Self.history { state.runs.removeFirst(state.runs.count - Self.history) }
      return log
    }
    logger.notice("\(kind) #\(log.id) started by \(startedBy): \(arguments.joined(separator: " "))")
    Thread.detachNewThread { [self] in
      let ending = execute(log)
      log.end(ending)
      _ = state.withLock { $0.running.remove(kind) }
      logger.notice("\(kind) #\(log.id): \(ending.outcome)")
      done?(log)
    }
    return log
  }

  /// Runs the job, its standard output and error merged into the log.
  private func execute(_ log: RunLog) -> RunLog.Ending {
    let argv = ScheduledJob.argv(binary: binary, config: config, log.arguments)
    // sh merges the two streams; the arguments travel as "$@", never re-parsed.
    let merged = ["/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1"] + argv
    do {
      let process = try runner.start(merged, environment: [:], captureOutput: true, feedInput: false)
      var pending: [UInt8] = []
      var buffer = [UInt8](repeating: 0, count: 16384)
      while true {
        let count = buffer.withUnsafeMutableBytes { read(process.outputFD, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        pending += buffer[0..<count]
        while let newline = pending.firstIndex(of: 10) {
          log.append(String(decoding: pending[..<newline], as: UTF8.self))
          pending.removeSubrange(...newline)
        }
        if pending.count > 65536 {  // A line without end: shown in pieces.
          log.append(String(decoding: pending, as: UTF8.self))
          pending.removeAll()
        }
      }
      if !pending.isEmpty { log.append(String(decoding: pending, as: UTF8.self)) }
      let outcome = process.wait()
      return RunLog.Ending(time: now(), succeeded: outcome.succeeded, outcome: "\(outcome)")
    } catch {
      log.append("could not start: \(error: error)")
      return RunLog.Ending(time: now(), succeeded: false, outcome: "could not start: \(error: error)")
    }
  }
}
