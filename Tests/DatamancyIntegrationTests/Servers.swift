import DatamancyTestSupport
import Foundation
import XCTest

/// Real database servers for a test, started by `scripts/servers` in the test's
/// folder on loopback ports, and stopped when the test ends. A server that cannot
/// start fails the test under CI (CI=true); elsewhere the test is skipped.
final class Servers {
  let cli: CLI
  private var started: [(engine: String, dir: String)] = []
  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("scripts/servers").path

  init(cli: CLI) { self.cli = cli }

  deinit { stopAll() }

  /// A free loopback port.
  /// A free port below the ephemeral range (`FreePort.next`).
  static func freePort() -> Int { FreePort.next() }

  /// Starts `engine` in `folder/name` on `port` (a free one when nil); returns its port.
  @discardableResult
  func start(_ engine: String, name: String? = nil, password: String = "", port: Int? = nil) throws -> (
    port: Int, dir: String
  ) {
    let dir = cli.folder + "/" + (name ?? engine)
    let port = port ?? Self.freePort()
    do {
      try cli.shellWithoutOutput(
        "\(Self.script) start \(engine) \(dir) \(port) '\(password)' >\(dir).log 2>&1")
    } catch {
      let log = (try? String(contentsOfFile: dir + ".log", encoding: .utf8)) ?? ""
      if ProcessInfo.processInfo.environment["CI"] == "true" {
        XCTFail("could not start \(engine): \(log)")
        throw error
      }
      throw XCTSkip("\(engine) is not available here: \(log)")
    }
    started.append((engine, dir))
    return (port, dir)
  }

  /// Starts PostgreSQL and points the test's psql tools at it (PGHOST, PGPORT, PGUSER).
  @discardableResult
  func startPostgres() throws -> (port: Int, dir: String) {
    let server = try start("postgres")
    cli.environment["PGHOST"] = server.dir
    cli.environment["PGPORT"] = String(server.port)
    cli.environment["PGUSER"] = "postgres"
    return server
  }

  /// Starts the S3 endpoint (bucket `backups`) and gives the CLI its credentials.
  func startS3() throws -> Int {
    let (port, _) = try start("s3")
    cli.environment["AWS_ACCESS_KEY_ID"] = "test"
    cli.environment["AWS_SECRET_ACCESS_KEY"] = "test"
    return port
  }

  func stop(_ engine: String, dir: String) {
    _ = try? cli.shellWithoutOutput("\(Self.script) stop \(engine) \(dir)")
    started.removeAll { $0.dir == dir }
  }

  func stopAll() {
    for server in started.reversed() {
      try? cli.shellWithoutOutput("\(Self.script) stop \(server.engine) \(server.dir)")
    }
    started.removeAll()
  }
}

extension XCTestCase {
  /// Starts `python3 Tests/Support/SCRIPT PORT ARGUMENTS...` in `cli`'s folder on a
  /// free port, waits until the shell command `ready` (with `PORT` in it) succeeds,
  /// and stops the script when the test ends. Returns the port.
  func startSupportScript(_ cli: CLI, _ script: String, _ arguments: [String], ready: String) throws -> Int {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Support/" + script).path
    let port = Servers.freePort()
    let pidFile = script + ".pid"
    try cli.shellWithoutOutput(
      "python3 \(path) \(([String(port)] + arguments).joined(separator: " ")) > /dev/null 2>&1 & echo $! > \(pidFile)"
    )
    addTeardownBlock { _ = try? cli.shell("kill $(cat \(pidFile))") }
    let probe = ready.replacingOccurrences(of: "PORT", with: String(port))
    _ = try cli.shell("for i in $(seq 1 50); do \(probe) && exit 0; sleep 0.1; done; exit 1")
    return port
  }
}
