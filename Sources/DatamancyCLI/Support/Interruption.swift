import DatamancyOperations
import DatamancyPOSIX
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Ctrl-C and SIGTERM: undo what must not outlive us (our lock files, the
/// `.partial` of an unfinished restore), say so, and exit with 130. Data already written needs nothing: the commit order makes an
/// interrupted backup harmless (docs/repository-format.md).
enum Interruption {
  private struct State {
    var cleanups: [Int: @Sendable () -> Void] = [:]
    var nextKey = 0
    /// Kept alive for the process's life: a released source stops delivering.
    var sources: [any DispatchSourceSignal] = []
    var stopping = false
  }

  private static let state = Locked(State())

  static func install() {
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler {
        stop(message: "\ndatamancy-backup: interrupted", status: .interrupted)
      }
      source.resume()
      state.withLock { $0.sources.append(source) }
    }
  }

  /// Stops the run from any thread: the tools we started, then the registered
  /// cleanups (locks, unfinished restores); says why and exits with `status`.
  static func abort(_ message: String, status: ExitStatus = .failure) -> Never {
    stop(message: message, status: status)
  }

  /// Blocks for good when an interruption is under way (it ends the process).
  static func waitIfStopping() {
    guard state.withLock({ $0.stopping }) else { return }
    while true { sleep(60) }
  }

  private static func stop(message: String, status: ExitStatus) -> Never {
    state.withLock { $0.stopping = true }
    RunningProcess.stopAll()
    ItemRestorer.removeUnfinished()
    let pending = state.withLock { Array($0.cleanups.values) }
    for cleanup in pending { cleanup() }
    FileHandle.standardError.write(Data((message + "\n").utf8))
    Foundation.exit(status.rawValue)
  }

  /// Runs `body` with `cleanup` registered for an interruption.
  static func whileRunning<T>(cleanup: @escaping @Sendable () -> Void, _ body: () throws -> T) rethrows -> T {
    let key = state.withLock { state in
      state.nextKey += 1
      state.cleanups[state.nextKey] = cleanup
      return state.nextKey
    }
    defer { _ = state.withLock { $0.cleanups.removeValue(forKey: key) } }
    return try body()
  }
}

/// The operations' `RunGuard`: interruptions and aborts go through `Interruption`.
struct InterruptionGuard: RunGuard {
  func whileRunning<T>(cleanup: @escaping @Sendable () -> Void, _ body: () throws -> T) rethrows -> T {
    try Interruption.whileRunning(cleanup: cleanup, body)
  }

  func abort(_ message: String) -> Never { Interruption.abort(message) }
}
