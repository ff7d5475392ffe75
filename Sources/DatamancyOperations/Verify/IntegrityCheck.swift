import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// Streams an item out of the repository into the check its content calls for,
/// recognised from its first bytes:
///
/// - a pg_dump archive: `pg_restore --list` must read it, and its tables'
///   fingerprints must equal those recorded at backup;
/// - a MariaDB dump: its completion trailer, and the fingerprints;
/// - a Redis RDB: `redis-check-rdb` on a private copy (it needs a file);
/// - an LDIF export: complete entries, and the entry count;
/// - a folder (tar): `tar --list` must read it to the end;
/// - anything else: every chunk read and authenticated.
///
/// What the item's source recorded it holds (`ItemContent`) must agree with what
/// its first bytes show (`Kind`).
///
/// Every chunk's id is recomputed from its plaintext, which a restore leaves to the
/// checksum of the chunk's zstd frame (`ChunkStreamer.recomputesIDs`).
struct IntegrityCheck {
  let repository: Repository
  let runner: ProcessRunner

  private var streamer: ChunkStreamer {
    var streamer = ChunkStreamer(repository: repository)
    streamer.recomputesIDs = true
    return streamer
  }

  struct Failed: Error, CustomStringConvertible {
    var description: String
  }

  /// Returns what was checked; throws `Failed` (or a repository error).
  func run(_ item: BackupItem, of set: BackupSet) throws -> String {
    if item.format == .tree { return try checkTree(item, of: set) }
    let ids = try ChunkStreamer.ids(of: item, set: set)
    var kind: Kind?
    var sink: ((Data) throws -> Void)?
    var finish: (() throws -> String)?
    try streamer.stream(ids) { data in
      if kind == nil {
        let found = try Kind(item: item, head: data)
        (kind, (sink, finish)) = (found, try start(found, item: item))
      }
      try sink!(data)
    }
    guard let finish else { return "empty: nothing to check" }
    return try finish()
  }

  enum Kind: String {
    case postgres = "a pg_dump archive"
    case mariadb = "a MariaDB dump"
    case redis = "a Redis snapshot"
    case ldif = "an LDIF export"
    case tar = "a tar stream"
    case other = "bytes of no format this tool checks"

    /// The kind the first bytes show. An item whose source recorded what it
    /// holds must show that kind: a database dump that no longer reads as one is
    /// a failure, never "every chunk read". So is a kind this version does not
    /// know (a set from a newer version), and, in sets that predate the record,
    /// table fingerprints on bytes of no known format.
    init(item: BackupItem, head: Data) throws {
      let found = Self.recognised(item: item, head: head)
      guard let content = item.content else {
        guard found != .other || (item.fingerprints ?? []).isEmpty else {
          throw Failed(
            description: "the item has table fingerprints but its bytes are no dump this tool reads")
        }
        self = found
        return
      }
      guard let expected = Self.expected[content] else {
        throw Failed(
          description: "the item holds '\(content)', which this version cannot check; "
            + "verify with the version that made it or a newer one")
      }
      // A command's output may be anything; what it is decides the check.
      guard expected == found || content == .commandOutput else {
        throw Failed(
          description: "recorded as \(expected.rawValue), but its first bytes are \(found.rawValue)")
      }
      self = found
    }

    /// What each recorded content must show (the globals are plain SQL).
    static let expected: [ItemContent: Kind] = [
      .postgresArchive: .postgres, .postgresGlobals: .other, .postgresCluster: .tar, .mariadbDump: .mariadb,
      .ldif: .ldif, .redisSnapshot: .redis, .folder: .tar, .commandOutput: .other,
    ]

    private static func recognised(item: BackupItem, head: Data) -> Kind {
      // Recent mariadb-dump versions put a sandbox-mode comment before the header.
      let text = String(decoding: head.prefix(512), as: UTF8.self)
      let mariadb = ["-- MariaDB dump", "-- MySQL dump"].contains {
        text.hasPrefix($0) || text.contains("\n" + $0)
      }
      if item.format == .tar { return .tar }
      if text.hasPrefix("PGDMP") { return .postgres }
      if mariadb { return .mariadb }
      if text.hasPrefix("REDIS") { return .redis }
      if text.hasPrefix("dn:") || item.fingerprints?.first?.table == "entries" { return .ldif }
      return .other
    }
  }

  private func start(_ kind: Kind, item: BackupItem) throws -> ((Data) throws -> Void, () throws -> String) {
    let rowHash = try RowHash.Version.of(item.fingerprints)
    switch kind {
    case .postgres:
      return try tool(
        ["pg_restore", "--list"], "pg_restore read the archive's table of contents", item: item,
        inspector: PostgresArchiveInspector(rowHash: rowHash))
    case .tar:
      return try tool(
        ["tar", "--list", "--file=-"], "tar read the folder to its end", item: item, inspector: nil)
    case .mariadb: return inspect(MariaDBDumpInspector(rowHash: rowHash), item: item, what: "complete dump")
    case .ldif: return inspect(LDIFInspector(rowHash: rowHash), item: item, what: "complete LDIF")
    case .redis: return try redisCheck()
    case .other: return ({ _ in }, { "every chunk read and authenticated" })
    }
  }

  /// Feeds the item to a tool's standard input; the tool must succeed.
  private func tool(_ argv: [String], _ success: String, item: BackupItem, inspector: StreamInspector?) throws
    -> ((Data) throws -> Void, () throws -> String)
  {
    let process = try runner.start(argv, environment: ["LC_ALL": "C"], captureOutput: false, feedInput: true)
    // A tool may stop reading once it has what it needs (pg_restore --list reads
    // only the table of contents); its exit status, not our write, is the verdict.
    var toolReading = true
    return (
      { data in
        data.withUnsafeBytes { inspector?.consume($0) }
        if toolReading {
          do { try process.write(data) } catch { toolReading = false }
        }
      },
      {
        try process.checkSuccess()
        guard let inspector else { return success }
        return success + "; " + (try compare(inspector, item: item))
      }
    )
  }

  private func inspect(_ inspector: StreamInspector, item: BackupItem, what: String)
    -> ((Data) throws -> Void, () throws -> String)
  {
    (
      { data in data.withUnsafeBytes { inspector.consume($0) } },
      { what + "; " + (try compare(inspector, item: item)) }
    )
  }

  /// The inspector's verdict, and its fingerprints against the recorded ones.
  private func compare(_ inspector: StreamInspector, item: BackupItem) throws -> String {
    let found: [TableFingerprint]?
    do {
      found = try inspector.finish()
    } catch {
      throw Failed(description: "\(error: error)")
    }
    guard let recorded = item.fingerprints, let found else { return "no fingerprints recorded" }
    let differing = FingerprintComparison.compare(recorded: recorded, found: found).filter { !$0.passed }
    guard differing.isEmpty else {
      let tables = differing.map { "\($0.table): \($0.detail)" }.joined(separator: "; ")
      throw Failed(
        description: "the stored stream's fingerprints differ from those recorded at backup (\(tables))")
    }
    return "fingerprints of \(Formatting.count(found.count, "table")) match"
  }

  /// A file tree: every tree decodes, and every file's chunks authenticate and
  /// hold exactly the bytes its entry records.
  private func checkTree(_ item: BackupItem, of set: BackupSet) throws -> String {
    var pending = [try repository.rootTree(of: item, in: set)]
    var (files, bytes) = (0, 0)
    while let chunks = pending.popLast() {
      for entry in try repository.readTree(chunks).entries {
        if entry.kind == .directory, !entry.chunks.isEmpty { pending.append(entry.chunks) }
        guard entry.kind == .file else { continue }
        var length = 0
        try streamer.stream(entry.chunks) { length += $0.count }
        guard UInt64(length) == entry.storedLength else {
          throw Failed(
            description: "\(entry.displayName) holds \(length) bytes, \(entry.storedLength) recorded")
        }
        files += 1
        bytes += length
      }
    }
    return "every tree read and \(Formatting.count(files, "file")) (\(Formatting.bytes(bytes))) authenticated"
  }

  /// redis-check-rdb needs a file: a private copy, removed afterwards.
  private func redisCheck() throws -> ((Data) throws -> Void, () throws -> String) {
    let files = try PrivateFiles()
    let path = try files.write("dump.rdb", "")
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    return (
      { data in try handle.write(contentsOf: data) },
      {
        defer { files.remove() }
        try handle.close()
        let process = try runner.start(
          ["redis-check-rdb", path], environment: [:], captureOutput: false, feedInput: false)
        do {
          try process.checkSuccess()
        } catch {
          throw Failed(description: "redis-check-rdb rejects the snapshot: \(error)")
        }
        return "redis-check-rdb accepts the snapshot"
      }
    )
  }
}
