import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// OpenLDAP: the directory as LDIF, one item `SOURCE/directory`. `slapcat` reads
/// the database where the tool runs beside the server (or in its container);
/// `ldapsearch` exports over the network with a bind DN, including operational
/// attributes, so `slapadd` can load either.
public struct LDAPSource: SourcePlanner, Sendable {
  public var name: String
  public var settings: LDAPSettings
  public let tool: EngineTool

  public init(name: String, settings: LDAPSettings, runner: any ProcessRunner, secrets: SecretResolver) {
    self.name = name
    self.settings = settings
    tool = EngineTool(connection: settings.connection, runner: runner, secrets: secrets)
  }

  public func items() throws -> [PlannedItem] {
    let run: @Sendable () throws -> ToolRun = {
      try (settings.method == .slapcat ? slapcatRun() : ldapsearchRun())
    }
    return [
      PlannedItem(name: "\(name)/directory", source: name, format: .stream, content: .ldif) { [tool] in
        try tool.start(try run(), inspector: LDIFInspector())
      }
    ]
  }

  func slapcatRun() throws -> ToolRun {
    var arguments: [String] = []
    if let file = settings.configFile { arguments += ["-f", file] }
    if let folder = settings.configDirectory { arguments += ["-F", folder] }
    if let number = settings.databaseNumber {
      arguments += ["-n", String(number)]
    } else if let base = settings.base {
      arguments += ["-b", base]
    }
    return tool.run("slapcat", arguments)
  }

  /// The export over the network, operational attributes included.
  func ldapsearchRun() throws -> ToolRun {
    try clientRun(
      "ldapsearch",
      [
        "-LLL", "-o", "ldif-wrap=no", "-b", settings.base ?? "", "-E", "pr=1000/noprompt", "(objectClass=*)",
        "*", "+",
      ])
  }

  /// An OpenLDAP client (`ldapsearch`, `ldapadd`, `ldapdelete`) bound to the
  /// configured URL as the bind DN. The bind password goes through a private
  /// file (`-y`); never argv.
  public func clientRun(_ program: String, _ arguments: [String]) throws -> ToolRun {
    var options = ["-x", "-H", settings.url ?? ""]
    var files: PrivateFiles?
    if let bindDN = settings.bindDN { options += ["-D", bindDN] }
    if let password = try tool.password() {
      guard settings.connection.container == nil else {
        throw SourceError.settings(
          source: name, reason: "\(program) with a password runs on this host: remove 'container'")
      }
      let privateFiles = try PrivateFiles()
      files = privateFiles
      options += ["-y", try privateFiles.write("bindpw", password)]
    }
    return tool.run(program, options + arguments, files: files)
  }
}
