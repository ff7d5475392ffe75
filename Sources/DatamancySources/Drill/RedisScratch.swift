import DatamancyRepository
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A private `redis-server` on a free loopback port, started on the restored RDB
/// file. Loading it checks the snapshot's CRC-64 and every value's encoding; the
/// drill then compares each database's key count with the count recorded at
/// backup (keys with an expiry may have lapsed since, and are allowed to be gone).
public final class RedisScratch: DrillScratch {
  let repository: Repository
  let runner: ProcessRunner
  let program: String
  let client: String
  private var folder: String?
  private var port = 0
  private var server: ScratchServer?
  private let password = UUID().uuidString

  public init(repository: Repository, runner: ProcessRunner, tools: [String: String]) {
    self.repository = repository
    self.runner = runner
    program = tools["redis-server"] ?? "redis-server"
    client = tools["redis-cli"] ?? "redis-cli"
  }

  public var description: String { "redis-server on 127.0.0.1:\(port)" }

  public func prepare() throws {
    folder = try scratchFolder("datamancy-drill-redis")
    port = try Loopback.freePort()
  }

  public func restore(_ item: BackupItem, of set: BackupSet) throws {
    guard let folder else { return }
    let file = folder + "/dump.rdb"
    let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw ItemRestorer.ioError("create", file) }
    defer { close(fd) }
    try ItemRestorer(repository: repository, runner: runner).write(item, of: set, to: fd)
    // The scratch server's settings, and a password of its own, go in a private
    // file: nothing on its command line, and no stray client can reach it.
    let settings = [
      "port \(port)", "bind 127.0.0.1", "dir \(folder)", "dbfilename dump.rdb", "save \"\"",
      "appendonly no", "logfile \(folder)/redis.log", "requirepass \(password)",
    ]
    let configuration = folder + "/redis.conf"
    guard
      FileManager.default.createFile(
        atPath: configuration, contents: Data((settings.joined(separator: "\n") + "\n").utf8),
        attributes: [.posixPermissions: 0o600])
    else { throw ItemRestorer.ioError("create", configuration) }
    let started = try ScratchServer([program, configuration], name: program, runner: runner)
    self.server = started
    try started.waitReady(
      seconds: 3600, log: { (try? String(contentsOfFile: folder + "/redis.log", encoding: .utf8)) ?? "" }
    ) { (try? cli(["PING"]).text) == "PONG\n" }
  }

  func cli(_ arguments: [String]) throws -> (text: String, fingerprints: [TableFingerprint]?) {
    try runner.output(
      [client, "-h", "127.0.0.1", "-p", String(port)] + arguments, environment: ["REDISCLI_AUTH": password])
  }

  public func check(_ item: BackupItem) throws -> [DrillCheck] {
    var found: [String: Int] = [:]
    for line in try cli(["INFO", "keyspace"]).text.split(whereSeparator: \.isNewline) {
      // db0:keys=3002,expires=0,avg_ttl=0
      let parts = line.split(separator: ":", maxSplits: 1)
      guard parts.count == 2, parts[0].hasPrefix("db"),
        let keys = parts[1].split(separator: ",").first?.split(separator: "=").last.flatMap({ Int($0) })
      else { continue }
      found[String(parts[0])] = keys
    }
    let total = found.values.reduce(0, +)
    guard let recorded = item.fingerprints else {
      return [
        DrillCheck(
          table: "keys", expectedRows: nil, foundRows: total, passed: true,
          detail: "the server loaded the snapshot (CRC-64 checked); no key count was recorded at backup")
      ]
    }
    if recorded.isEmpty {
      return [
        DrillCheck(
          table: "keys", expectedRows: 0, foundRows: total, passed: total == 0,
          detail: "the snapshot was empty at backup")
      ]
    }
    return recorded.map { expected in
      let keys = found[expected.table] ?? 0
      let floor = expected.rows - (expected.expiring ?? 0)
      return DrillCheck(
        table: expected.table, expectedRows: expected.rows, foundRows: keys,
        passed: keys >= floor && keys <= expected.rows,
        detail: "\(expected.rows) keys at backup (\(expected.expiring ?? 0) with an expiry), \(keys) loaded")
    }
  }

  public func cleanup() throws {
    server?.stop()
    server = nil
    if let folder { try FileManager.default.removeItem(atPath: folder) }
    folder = nil
  }
}
