import DatamancyConfig
import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// An engine defined here alone, to show that `SourceEngine` is the whole
/// contract: a tiny "database server" that is a folder of `NAME.kv` files (one
/// `key=value` per line), dumped by `awk` with a header and a trailer that
/// counts the lines, and loaded back by `awk`, which refuses a dump without its
/// trailer.
///
/// ```yaml
/// sources:
///   kv1: { type: kv, folder: /srv/kv, databases: [shop] }
/// ```
struct KeyValueEngine: DatabaseServerEngine {
  static let content = ItemContent(rawValue: "kv-dump")

  struct Settings: SourceSettings {
    var folder: String
    var databases: [String]
  }

  var type: SourceType {
    SourceType(names: ["kv"], keys: ["folder", "databases"]) { entry in
      let databases = try entry.required("databases", "the databases to dump").strings()
      guard !databases.isEmpty else { throw entry.error("list at least one database") }
      return Settings(
        folder: try entry.required("folder", "the server's folder").string(), databases: databases)
    }
  }

  var contentChecks: [ItemContent: ContentCheck] {
    [
      Self.content: ContentCheck(
        name: "a kv dump", recognises: { _, head in head.starts(with: Array("KVDUMP\n".utf8)) }
      ) { item, _ in ContentCheck.inspecting(DumpInspector(), item: item, what: "complete kv dump") }
    ]
  }

  func server(_ source: ConfiguredSource<Settings>, _ context: OperationContext) -> Server {
    Server(
      name: source.name, folder: source.settings.folder, databases: source.settings.databases,
      runner: context.runner)
  }

  /// The "server": its folder, and the tools that read and write it.
  struct Server: DatabaseEngine, SourcePlanner {
    let name: String
    let folder: String
    let databases: [String]
    let runner: any ProcessRunner

    func items() throws -> [PlannedItem] { databases.map { item(for: $0, rowHash: .current) } }

    func file(_ database: String) -> String { folder + "/" + database + ".kv" }
    func exists(_ database: String) throws -> Bool { FileManager.default.fileExists(atPath: file(database)) }

    func tableCount(_ database: String) throws -> Int {
      let text = try String(contentsOfFile: file(database), encoding: .utf8)
      return text.isEmpty ? 0 : 1
    }

    func create(_ database: String) throws {
      guard FileManager.default.createFile(atPath: file(database), contents: Data()) else {
        throw CocoaError(.fileWriteUnknown)
      }
    }

    func drop(_ database: String) throws { try FileManager.default.removeItem(atPath: file(database)) }

    /// Takes the lines between the header and the trailer; fails without the
    /// trailer, or when it counts other lines than came.
    func loadRun(into database: String) throws -> ToolRun {
      let script = """
        NR == 1 { if ($0 != "KVDUMP") exit 3; next }
        /^END / { if ($2 != NR - 2) exit 4; done = 1; next }
        { print > out }
        END { if (!done) exit 5 }
        """
      return ToolRun(argv: ["awk", "-v", "out=" + file(database), script], environment: [:])
    }

    func item(for database: String, rowHash: RowHash.Version) -> PlannedItem {
      let script = "BEGIN { print \"KVDUMP\" } { print } END { print \"END \" NR }"
      let argv = ["awk", script, file(database)]
      return PlannedItem(
        name: name + "/" + database, source: name, format: .stream, content: KeyValueEngine.content
      ) { [runner] in
        let process = try runner.start(argv, environment: [:], captureOutput: true, feedInput: false)
        return InspectedStream(
          output: ProcessOutputStream(process: process), inspector: DumpInspector(), privateFiles: nil)
      }
    }
  }

  /// A complete dump (header, lines, a trailer counting them), fingerprinted as
  /// one table: its row count and an order-independent sum of its lines.
  final class DumpInspector: StreamInspector {
    private var text: [UInt8] = []

    func consume(_ bytes: UnsafeRawBufferPointer) { text.append(contentsOf: bytes) }

    func finish() throws -> [TableFingerprint]? {
      var lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
      if lines.last?.isEmpty == true { lines.removeLast() }
      guard lines.first.map({ Array($0) }) == Array("KVDUMP".utf8) else {
        throw IncompleteDump("no KVDUMP header")
      }
      let rows = lines.dropFirst().dropLast()
      guard let last = lines.last, String(decoding: last, as: UTF8.self) == "END \(rows.count)",
        lines.count >= 2
      else { throw IncompleteDump("no trailer counting \(rows.count) lines: the dump was cut short") }
      let sum = rows.reduce(UInt64(0)) { sum, line in
        sum &+ line.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
      }
      var fingerprint = TableFingerprint(table: "kv", rows: rows.count, checksum: String(sum, radix: 16))
      fingerprint.rowHash = RowHash.Version.current.rawValue
      return [fingerprint]
    }
  }
}
