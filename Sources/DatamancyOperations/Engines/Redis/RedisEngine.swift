import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// `type: redis`: the server's RDB snapshot.
struct RedisEngine: SourceEngine {
  var type: SourceType { .redis }
  let drillsEveryItem = true
  var contentChecks: [ItemContent: ContentCheck] { [.redisSnapshot: .redisSnapshot] }

  func planner(_ source: ConfiguredSource<RedisSettings>, context: OperationContext) -> any SourcePlanner {
    RedisSource(
      name: source.name, settings: source.settings, runner: context.runner, secrets: context.secrets)
  }

  /// A private redis-server loading the snapshot.
  func scratch(
    for item: BackupItem, in source: ConfiguredSource<RedisSettings>, repository: Repository,
    context: OperationContext
  ) -> any DrillScratch {
    RedisScratch(repository: repository, runner: context.runner, tools: source.settings.connection.tools)
  }

  /// The configured server, loaded online from a private server on the snapshot.
  func recovery(of item: BackupItem, in source: ConfiguredSource<RedisSettings>, context: RecoveryContext)
    -> Recovery
  {
    let redis = RedisSource(
      name: source.name, settings: source.settings, runner: context.operations.runner,
      secrets: context.operations.secrets)
    return .target(.data, RedisRecoveryTarget(source: redis, itemName: item.name, context: context))
  }

  func standIn(for source: ConfiguredSource<RedisSettings>, context: OperationContext) -> StandIn {
    .server(RedisStandIn(runner: context.runner))
  }
}

extension ContentCheck {
  /// `redis-check-rdb` on a private copy (it needs a file), removed afterwards.
  static let redisSnapshot = ContentCheck(
    name: "a Redis snapshot", recognises: { _, head in head.starts(with: Array("REDIS".utf8)) }
  ) { _, runner in
    let files = try PrivateFiles()
    let path = try files.write("dump.rdb", "")
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    return Checking(
      consume: { data in try handle.write(contentsOf: data) },
      finish: {
        defer { files.remove() }
        try handle.close()
        let process = try runner.start(
          ["redis-check-rdb", path], environment: [:], captureOutput: false, feedInput: false)
        do {
          try process.checkSuccess()
        } catch {
          throw Failed("redis-check-rdb rejects the snapshot: \(error)")
        }
        return "redis-check-rdb accepts the snapshot"
      })
  }
}
