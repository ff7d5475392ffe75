import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// A private, empty `redis-server` on a free loopback port (protected mode: no
/// other host can reach it), nothing saved to disk.
final class RedisStandIn: StandInBase, StandInServer {
  private var port = 0

  var description: String { "redis-server on 127.0.0.1:\(port)" }

  func start(for source: SourceConfig) throws -> SourceConfig {
    guard var settings = source.settings(as: RedisSettings.self) else { return source }
    let folder = try makeFolder("datamancy-drill-redis")
    port = try Loopback.freePort()
    let started = try ScratchServer(
      [
        settings.connection.tools["redis-server"] ?? "redis-server", "--port", String(port), "--bind",
        "127.0.0.1", "--dir", folder, "--save", "", "--appendonly", "no",
      ], name: "redis-server (drill --cluster)", runner: runner)
    server = started
    var connection = Connection()
    connection.host = "127.0.0.1"
    connection.port = port
    connection.tools = settings.connection.tools
    settings.connection = connection
    settings.tls = false
    let client = settings.connection.tools["redis-cli"] ?? "redis-cli"
    try started.waitReady(seconds: 60, log: { "" }) {
      (try? runner.output([client, "-h", "127.0.0.1", "-p", String(port), "PING"]).text) == "PONG\n"
    }
    return SourceConfig(name: source.name, type: source.type, settings: settings)
  }
}
