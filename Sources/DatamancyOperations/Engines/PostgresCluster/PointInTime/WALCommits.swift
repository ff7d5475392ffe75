import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// Commit times in archived WAL, as PostgreSQL's `pg_waldump` prints them. A
/// time target after the newest commit would make recovery replay everything
/// and then stop with "recovery ended before configured recovery target was
/// reached": knowing the newest commit, such a target recovers to the end
/// instead (the same state), and a drill picks its time where commits are.
public struct WALCommits {
  let repository: Repository
  let runner: any ProcessRunner
  let program: String

  public init(repository: Repository, runner: any ProcessRunner, program: String) {
    self.repository = repository
    self.runner = runner
    self.program = program
  }

  /// The newest commit in `segments` (read newest first, at most `limit` of
  /// them), or nil when none of them holds one. The segments are fetched from
  /// the archive into a scratch folder, unless `fetched` already holds them.
  public func newest(in segments: [WALSegment], source: String, fetched: String? = nil, limit: Int = 8)
    throws -> Date?
  {
    let folder = try fetched ?? scratchFolder("datamancy-waldump")
    defer { if fetched == nil { try? FileManager.default.removeItem(atPath: folder) } }
    for segment in segments.reversed().prefix(limit) {
      if fetched == nil {
        guard let bytes = try repository.getWAL(source: source, name: segment.name) else { continue }
        try bytes.write(to: URL(fileURLWithPath: folder + "/" + segment.name))
      }
      if let time = try commits(in: segment, folder: folder).max() { return time }
    }
    return nil
  }

  /// `rmgr: Transaction … desc: COMMIT 2026-12-01 20:51:43.123456 UTC; …`.
  func commits(in segment: WALSegment, folder: String) throws -> [Date] {
    let process = try runner.start(
      [program, "-p", folder, "-r", "Transaction", segment.name], environment: ["TZ": "UTC"],
      captureOutput: true, feedInput: false)
    // Status 1 with "invalid record length … got 0": the segment's unused end.
    let output = ProcessOutputStream(process: process, warnings: [1: "stopped at the end of the WAL"])
    let text = String(
      decoding: try InspectedStream(output: output, inspector: nil, privateFiles: nil).readToEnd(
        keepingAtMost: 64 << 20), as: UTF8.self)
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSSSSS"
    return text.split(separator: "\n").compactMap { line in
      guard let range = line.range(of: "desc: COMMIT ") else { return nil }
      return formatter.date(from: String(line[range.upperBound...].prefix(26)))
    }
  }
}

/// PostgreSQL's server-side programs (`postgres`, `pg_waldump`,
/// `pg_verifybackup`): the path configured in the source's `tools`, else the
/// one of Debian's layout for the data folder's major version, else PATH.
public enum PostgresPrograms {
  public static func path(_ name: String, tools: [String: String], dataFolder: String?) -> String {
    if let configured = tools[name] { return configured }
    let own = dataFolder.flatMap {
      try? String(contentsOfFile: $0 + "/PG_VERSION", encoding: .utf8).trimmingCharacters(
        in: .whitespacesAndNewlines)
    }
    let installed = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
    for version in [own].compactMap({ $0 }) + installed.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
      let debian = "/usr/lib/postgresql/\(version)/bin/\(name)"
      if FileManager.default.isExecutableFile(atPath: debian) { return debian }
    }
    return name
  }
}
