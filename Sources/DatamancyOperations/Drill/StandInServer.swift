import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// An empty server of a source's kind that `drill --cluster` starts, recovers
/// the whole stack onto, and removes: a private PostgreSQL from `initdb`, a
/// private MariaDB from `mariadb-install-db`, a private `slapd` or
/// `redis-server`, each on a free loopback port or a socket in its own folder.
public protocol StandInServer: AnyObject {
  var description: String { get }
  /// Starts it empty and returns the source as it reaches the stand-in instead
  /// (same name and type; connection rewritten).
  func start(for source: SourceConfig) throws -> SourceConfig
  /// Stops it and removes its folder; safe to call after any failure.
  func remove()
}

/// What every stand-in keeps: its folder and its running server.
class StandInBase {
  let runner: any ProcessRunner
  var folder: String?
  var server: ScratchServer?

  init(runner: any ProcessRunner) { self.runner = runner }

  /// A new private folder, owned by `owner` when running as root (a server that
  /// refuses to run as root runs as its package's user).
  func makeFolder(_ prefix: String, owner: String? = nil) throws -> String {
    let made = try scratchFolder(prefix)
    folder = made
    if geteuid() == 0, let owner { _ = try runner.output(["chown", "-R", "\(owner):", made]) }
    return made
  }

  /// `argv` as `user` when running as root.
  func asUser(_ user: String?, _ argv: [String]) -> [String] {
    guard geteuid() == 0, let user else { return argv }
    return RunAs.argv(argv, user: user, group: user)
  }

  func remove() {
    server?.stop()
    server = nil
    if let folder { try? FileManager.default.removeItem(atPath: folder) }
    folder = nil
  }

  /// A private file for the stand-in's own secret (mode 0600).
  func writeSecret(_ name: String, _ value: String) throws -> String {
    guard let folder else { throw Loopback.failure("no folder") }
    let path = folder + "/" + name
    guard
      FileManager.default.createFile(
        atPath: path, contents: Data(value.utf8), attributes: [.posixPermissions: 0o600])
    else { throw ItemRestorer.ioError("create", path) }
    return path
  }
}

extension Connection {
  /// A private server's connection: its socket (a folder for PostgreSQL) and
  /// port, as `user`, with the source's tools.
  static func socket(_ socket: String, port: Int, user: String, tools: [String: String]) -> Connection {
    var connection = Connection()
    connection.socket = socket
    connection.port = port
    connection.user = user
    connection.tools = tools
    return connection
  }
}
