import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// A private `slapd` on a free loopback port with one mdb database whose suffix
/// is the export's first entry. The export is loaded with `slapadd`, the server
/// started, and every entry's DN read back over LDAP (`ldapsearch`) and
/// fingerprinted like the export, so entry count and DNs are compared.
public final class SlapdScratch: DrillScratch {
  let repository: Repository
  let runner: any ProcessRunner
  let tools: [String: String]
  /// Schema files the scratch server includes (the directory's own schemas).
  let schemas: [String]
  private var folder: String?
  private var port = 0
  private var suffix = ""
  private var server: ScratchServer?

  public static let defaultSchemas = ["core", "cosine", "inetorgperson", "nis"].map {
    "/etc/ldap/schema/\($0).schema"
  }

  public init(repository: Repository, runner: any ProcessRunner, tools: [String: String], schemas: [String]?)
  {
    self.repository = repository
    self.runner = runner
    self.tools = tools
    self.schemas = schemas ?? Self.defaultSchemas
  }

  func tool(_ name: String) -> String { tools[name] ?? name }
  var url: String { "ldap://127.0.0.1:\(port)/" }

  public var description: String { "slapd on 127.0.0.1:\(port)" + (suffix.isEmpty ? "" : " for \(suffix)") }

  public func prepare() throws {
    let folder = try scratchFolder("datamancy-drill-slapd")
    self.folder = folder
    port = try Loopback.freePort()
    try FileManager.default.createDirectory(atPath: folder + "/db", withIntermediateDirectories: false)
  }

  public func restore(_ item: BackupItem, of set: BackupSet) throws {
    guard let folder else { return }
    var pending = Data()
    var slapadd: RunningProcess?
    do {
      try ChunkStreamer(repository: repository).stream(try ChunkStreamer.ids(of: item, set: set)) { data in
        if let slapadd { return try slapadd.write(data) }
        pending.append(data)
        guard let first = Self.firstDN(pending) else { return }
        suffix = first
        try configuration(folder).write(toFile: folder + "/slapd.conf", atomically: true, encoding: .utf8)
        let started = try runner.start(
          [tool("slapadd"), "-q", "-f", folder + "/slapd.conf"], environment: [:], captureOutput: false,
          feedInput: true)
        slapadd = started
        try started.write(pending)
      }
    } catch let error as ProcessError {
      throw error
    } catch {
      slapadd?.stop()
      slapadd?.wait()
      throw error
    }
    guard let slapadd else {
      throw DrillError.emptyExport(item: item.name)
    }
    try slapadd.checkSuccess()
    // In the foreground (-d 0), so its exit is seen at once and stopping it is certain.
    let started = try ScratchServer(
      [tool("slapd"), "-d", "0", "-f", folder + "/slapd.conf", "-h", url], name: tool("slapd"), runner: runner
    )
    server = started
    try started.waitReady(seconds: 60, log: { "" }) {
      (try? runner.output([tool("ldapsearch"), "-x", "-H", url, "-b", "", "-s", "base", "1.1"])) != nil
    }
  }

  public func check(_ item: BackupItem) throws -> [DrillCheck] {
    let found = try runner.output(
      [
        tool("ldapsearch"), "-x", "-H", url, "-b", suffix, "-LLL", "-o", "ldif-wrap=no", "-z", "0",
        "(objectClass=*)", "1.1",
      ], inspector: LDIFInspector(rowHash: try .of(item.fingerprints))
    ).fingerprints
    return FingerprintComparison.compare(recorded: item.fingerprints, found: found ?? [])
  }

  public func cleanup() throws {
    server?.stop()
    server = nil
    if let folder { try FileManager.default.removeItem(atPath: folder) }
    folder = nil
  }

  func configuration(_ folder: String) -> String {
    let quoted = suffix.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
      of: "\"", with: "\\\"")
    return schemas.map { "include \($0)\n" }.joined() + """
      modulepath /usr/lib/ldap
      moduleload back_mdb
      sizelimit unlimited
      database mdb
      maxsize 17179869184
      suffix "\(quoted)"
      directory \(folder)/db

      """
  }

  /// The DN of the export's first entry, once its line is complete (`dn::` is base64).
  static func firstDN(_ data: Data) -> String? {
    let text = String(decoding: data.prefix(1 << 16), as: UTF8.self)
    for line in text.split(separator: "\n", omittingEmptySubsequences: true).dropLast() {
      if line.hasPrefix("dn:: ") {
        return Data(base64Encoded: String(line.dropFirst(5))).map { String(decoding: $0, as: UTF8.self) }
      }
      if line.hasPrefix("dn: ") { return String(line.dropFirst(4)) }
    }
    return nil
  }
}
