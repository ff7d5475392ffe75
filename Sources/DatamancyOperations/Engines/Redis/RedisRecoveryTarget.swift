import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The configured Redis server, loaded online: a private `redis-server` starts
/// on the restored snapshot (which checks it), and the target replicates from it
/// once (`REPLICAOF`), so every database, key, value and expiry arrives in one
/// full sync without stopping the target; then the target is made a primary
/// again. The target must reach 127.0.0.1 (same host, or a container on the
/// host's network).
final class RedisRecoveryTarget: RecoveryTarget {
  let source: RedisSource
  let itemName: String
  let context: RecoveryContext

  init(source: RedisSource, itemName: String, context: RecoveryContext) {
    self.source = source
    self.itemName = itemName
    self.context = context
  }

  var description: String {
    let connection = source.settings.connection
    let place = connection.socket ?? "\(connection.host ?? "127.0.0.1"):\(connection.port ?? 6379)"
    return "redis-server \(source.name) at \(place)"
  }

  func cli(_ command: [String]) throws -> String { try source.tool.capture(try source.redisRun(command)) }

  /// Sends commands on standard input, so a password among them is on no command line.
  func send(_ commands: [String]) throws -> String {
    let run = try source.redisRun([])
    defer { run.privateFiles?.remove() }
    let process = try context.operations.runner.start(
      run.argv, environment: run.environment, captureOutput: true, feedInput: true)
    try process.write(Data((commands.joined(separator: "\n") + "\n").utf8))
    process.closeInput()
    let output = ProcessOutputStream(process: process)
    let text = String(decoding: try output.readToEnd(keepingAtMost: 1 << 20), as: UTF8.self)
    try process.checkSuccess()
    return text
  }

  func keys() throws -> [String: Int] { try RedisScratch.keyspace(try cli(["INFO", "keyspace"])) }

  func occupant() throws -> String? {
    let total = try keys().values.reduce(0, +)
    return total > 0 ? Formatting.count(total, "key") : nil
  }

  func preserve() throws -> String? {
    try context.preserve(item: itemName, of: source, target: description)
  }

  func clear() throws { _ = try cli(["FLUSHALL"]) }

  func restore(_ item: BackupItem, of set: BackupSet) throws {
    let scratch = RedisScratch(
      repository: context.repository, runner: context.operations.runner,
      tools: source.settings.connection.tools)
    defer { try? scratch.cleanup() }
    try scratch.prepare()
    try scratch.restore(item, of: set)
    let replying = try send([
      "CONFIG SET masterauth \(scratch.password)", "REPLICAOF 127.0.0.1 \(scratch.port)",
    ])
    defer { _ = try? send(["REPLICAOF NO ONE", "CONFIG SET masterauth \"\""]) }
    guard !replying.contains("ERR") else {
      throw RestoreError.loadFailed(
        database: description, reason: "the server refused to replicate: \(replying)",
        aftermath: "The server was left as it was.")
    }
    try waitForSync()
  }

  /// Waits for the full sync to end: the link up and no sync in progress. The
  /// server's own state is the event; a link that never comes up is an error.
  func waitForSync() throws {
    let started = Date()
    while true {
      let info = try cli(["INFO", "replication"])
      if info.contains("master_link_status:up") && info.contains("master_sync_in_progress:0") { return }
      if Date().timeIntervalSince(started) > 3600 {
        throw RestoreError.loadFailed(
          database: description, reason: "the server did not finish loading from the snapshot in an hour",
          aftermath: "It still replicates from a private server that is now stopped; run 'REPLICAOF NO ONE'.")
      }
      usleep(100_000)
    }
  }

  func check(_ item: BackupItem, of set: BackupSet) throws -> [DrillCheck] {
    RedisScratch.compare(try keys(), with: item)
  }
}
