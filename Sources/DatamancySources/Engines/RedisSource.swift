import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// Redis: the RDB snapshot fetched over the replication protocol (`redis-cli
/// --rdb -`), one item `SOURCE/rdb`, its frame checked as it streams and the end
/// mark of a diskless transfer removed (`RDBEndMarkStripper`).
public struct RedisSource: SourcePlanner, Sendable {
  public var name: String
  public var settings: RedisSettings
  public let tool: EngineTool

  public init(name: String, settings: RedisSettings, runner: any ProcessRunner, secrets: SecretResolver) {
    self.name = name
    self.settings = settings
    tool = EngineTool(connection: settings.connection, runner: runner, secrets: secrets)
  }

  public func items() throws -> [PlannedItem] {
    let run: @Sendable () throws -> ToolRun = { try redisRun() }
    return [
      PlannedItem(name: "\(name)/rdb", source: name, format: .stream, content: .redisSnapshot) { [tool] in
        try tool.start(try run(), inspector: RDBInspector(), transform: RDBEndMarkStripper.init)
      }
    ]
  }

  /// `redis-cli` with the connection's options, then `command` (by default the
  /// snapshot to standard output). The password goes through REDISCLI_AUTH (forwarded into a container); never argv.
  public func redisRun(_ command: [String] = ["--rdb", "-"]) throws -> ToolRun {
    let connection = settings.connection
    var arguments: [String] = []
    if let socket = connection.socket {
      arguments += ["-s", socket]
    } else {
      arguments += ["-h", connection.host ?? "127.0.0.1", "-p", String(connection.port ?? 6379)]
    }
    if let user = connection.user { arguments += ["--user", user] }
    if settings.tls {
      arguments.append("--tls")
      if let ca = settings.caFile { arguments += ["--cacert", ca] }
      if let cert = settings.certFile { arguments += ["--cert", cert] }
      if let key = settings.keyFile { arguments += ["--key", key] }
    }
    var environment: [String: String] = [:]
    if let password = try tool.password() { environment["REDISCLI_AUTH"] = password }
    return tool.run("redis-cli", arguments + command, environment: environment)
  }
}
