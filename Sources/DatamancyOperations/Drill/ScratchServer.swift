import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A throwaway server run in the foreground as our child, so its end is known at
/// once (a server that rejects its data exits) and stopping it is certain.
final class ScratchServer {
  let name: String
  private let process: RunningProcess

  init(_ argv: [String], name: String, runner: any ProcessRunner) throws {
    self.name = name
    process = try runner.start(argv, environment: [:], captureOutput: false, feedInput: false)
  }

  /// Waits until `probe` succeeds; throws when the server exits first or
  /// `seconds` pass, with `log()` (its log file) or its standard error.
  func waitReady(seconds: Double, log: () -> String, _ probe: () -> Bool) throws {
    let ready = Loopback.waitUntil(seconds: seconds) { process.exited() != nil || probe() }
    if let outcome = process.exited() {
      throw ProcessError.failed(
        program: name, outcome: outcome, stderr: String((log() + process.stderrText).suffix(800)))
    }
    guard ready else {
      throw ProcessError.failed(
        program: name, outcome: .exited(-1), stderr: "not ready after \(Int(seconds)) s: \(log().suffix(800))"
      )
    }
  }

  /// SIGTERM, then SIGKILL if it has not ended within 10 s; returns once it has.
  func stop() {
    guard process.exited() == nil else { return }
    process.kill(SIGTERM)
    if !Loopback.waitUntil(seconds: 10, { process.exited() != nil }) { process.kill(SIGKILL) }
    process.wait()
  }
}
