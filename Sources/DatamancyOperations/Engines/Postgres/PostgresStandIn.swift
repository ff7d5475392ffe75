import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// A private PostgreSQL cluster from `initdb` (the newest major version
/// installed, or the source's `tools.initdb`), on a socket in its folder and a
/// free port, trusting local connections; its superuser is `postgres`.
final class PostgresStandIn: StandInBase, StandInServer {
  let tools: [String: String]
  private var port = 0

  init(runner: any ProcessRunner, tools: [String: String]) {
    self.tools = tools
    super.init(runner: runner)
  }

  var description: String { "postgres on port \(port)" }

  func start(for source: SourceConfig) throws -> SourceConfig {
    guard var settings = source.settings(as: PostgresSettings.self) else { return source }
    let folder = try makeFolder("datamancy-drill-postgres", owner: "postgres")
    port = try Loopback.freePort()
    let data = folder + "/data"
    let owner = geteuid() == 0 ? "postgres" : nil
    _ = try runner.output(
      asUser(
        owner,
        [
          PostgresPrograms.path("initdb", tools: tools, dataFolder: nil), "-D", data, "-U", "postgres",
          "--auth-local=trust", "--auth-host=reject", "--no-sync",
        ]))
    let program = PostgresPrograms.path("postgres", tools: tools, dataFolder: data)
    let started = try ScratchServer(
      asUser(
        owner,
        [
          program, "-D", data, "-p", String(port), "-c", "listen_addresses=", "-c",
          "unix_socket_directories=\(folder)", "-c", "fsync=off", "-c", "shared_buffers=128MB",
        ]), name: "postgres (drill --cluster)", runner: runner)
    server = started
    settings.connection = .socket(folder, port: port, user: "postgres", tools: settings.connection.tools)
    let standIn = PostgresSource(
      name: source.name, settings: settings, runner: runner,
      secrets: SecretResolver(environment: [:], runner: runner))
    try started.waitReady(seconds: 600, log: { "" }) { (try? standIn.sql("SELECT 1")) == "1" }
    return SourceConfig(name: source.name, type: source.type, settings: settings)
  }
}
