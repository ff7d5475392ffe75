import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
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
  let runner: any ProcessRunner
  let program: String
  let client: String
  private var folder: String?
  private(set) var port = 0
  private var server: ScratchServer?
  /// The scratch server's own password, never on a command line.
  let password = UUID().uuidString

  public init(repository: Repository, runner: any ProcessRunner, tools: [String: String]) {
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
      // A recovery replicates from it: no wait for more replicas before the sync.
      "repl-diskless-sync-delay 0",
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
    let found = try Self.keyspace(try cli(["INFO", "keyspace"]).text)
    let checks = Self.compare(found, with: item)
    guard let recorded = item.fingerprints, !recorded.isEmpty else { return checks }
    return checks + [try sample(found.values.reduce(0, +))]
  }

  /// Keys per database in `INFO keyspace` (`db0:keys=3002,expires=0,avg_ttl=0`).
  /// A count beyond 2^48 is no count (they are summed): the answer is refused,
  /// never taken for an empty or a smaller keyspace.
  static func keyspace(_ info: String) throws -> [String: Int] {
    var found: [String: Int] = [:]
    for line in info.split(whereSeparator: \.isNewline) {
      let parts = line.split(separator: ":", maxSplits: 1)
      guard parts.count == 2, parts[0].hasPrefix("db"),
        let text = parts[1].split(separator: ",").first?.split(separator: "=").last
      else { continue }
      guard let keys = Int(text), (0...(1 << 48)).contains(keys) else {
        throw OperationError("redis-server reported '\(line)' in INFO keyspace: not a key count")
      }
      found[String(parts[0])] = keys
    }
    return found
  }

  /// Each database's key count against the count recorded at backup (keys with
  /// an expiry may have lapsed since, and are allowed to be gone).
  static func compare(_ found: [String: Int], with item: BackupItem) -> [DrillCheck] {
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

  /// Reads back the values of up to `sampleSize` random keys of the first
  /// database: each must have a type and serialize (`DUMP`), so the loaded values
  /// are readable, not only counted.
  func sample(_ total: Int) throws -> DrillCheck {
    let wanted = min(Self.sampleSize, total)
    var types: [String: Int] = [:]
    var readable = 0
    var tried = 0
    for _ in 0..<wanted {
      let key = try cli(["--no-raw", "RANDOMKEY"]).text.trimmingCharacters(in: .whitespacesAndNewlines)
      guard key != "(nil)" else { break }
      // A binary key cannot be named on a command line; another draw takes its place.
      if key.contains("\\x") { continue }
      tried += 1
      let name = Self.unquote(key)
      let type = try cli(["TYPE", name]).text.trimmingCharacters(in: .whitespacesAndNewlines)
      let dump = try cli(["--no-raw", "DUMP", name]).text.trimmingCharacters(in: .whitespacesAndNewlines)
      if type != "none" && dump != "(nil)" && !dump.isEmpty {
        readable += 1
        types[type, default: 0] += 1
      }
    }
    let kinds = types.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    return DrillCheck(
      table: "sample", expectedRows: tried, foundRows: readable, passed: readable == tried,
      detail: "values of \(readable) of \(tried) random keys read back" + (kinds.isEmpty ? "" : " (\(kinds))")
    )
  }

  static let sampleSize = 20

  /// A key as `redis-cli --no-raw` prints it: quoted, with escapes.
  static func unquote(_ text: String) -> String {
    guard text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 else { return text }
    return String(text.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
      .replacingOccurrences(of: "\\\\", with: "\\")
  }

  public func cleanup() throws {
    server?.stop()
    server = nil
    if let folder { try FileManager.default.removeItem(atPath: folder) }
    folder = nil
  }
}
