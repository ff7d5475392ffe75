import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// A private `slapd` with an empty mdb database for the source's base, its
/// manager the source's bind DN with a password of its own (in a private file),
/// on a free loopback port.
final class SlapdStandIn: StandInBase, StandInServer {
  private var port = 0

  var description: String { "slapd on 127.0.0.1:\(port)" }

  static let defaultSchemas = ["core", "cosine", "inetorgperson", "nis"].map {
    "/etc/ldap/schema/\($0).schema"
  }

  func start(for source: SourceConfig) throws -> SourceConfig {
    guard var settings = source.settings(as: LDAPSettings.self), let base = settings.base,
      let manager = settings.bindDN
    else { return source }
    let folder = try makeFolder("datamancy-drill-slapd")
    port = try Loopback.freePort()
    let password = UUID().uuidString
    let secret = try writeSecret("manager-password", password)
    try FileManager.default.createDirectory(atPath: folder + "/db", withIntermediateDirectories: false)
    func quoted(_ text: String) -> String {
      "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        + "\""
    }
    let configuration =
      (settings.schemas ?? Self.defaultSchemas).map { "include \($0)\n" }.joined() + """
        modulepath /usr/lib/ldap
        moduleload back_mdb
        sizelimit unlimited
        database mdb
        maxsize 17179869184
        suffix \(quoted(base))
        rootdn \(quoted(manager))
        rootpw \(password)
        directory \(folder)/db

        """
    _ = try writeSecret("slapd.conf", configuration)
    let url = "ldap://127.0.0.1:\(port)/"
    let tools = settings.connection.tools
    let started = try ScratchServer(
      [tools["slapd"] ?? "slapd", "-d", "0", "-f", folder + "/slapd.conf", "-h", url],
      name: "slapd (drill --cluster)", runner: runner)
    server = started
    try started.waitReady(seconds: 60, log: { "" }) {
      (try? runner.output([
        tools["ldapsearch"] ?? "ldapsearch", "-x", "-H", url, "-b", "", "-s", "base", "1.1",
      ]))
        != nil
    }
    var connection = Connection()
    connection.password = .file(secret)
    connection.tools = tools
    settings.connection = connection
    settings.url = url
    return SourceConfig(name: source.name, type: source.type, settings: settings)
  }
}
