/// One entry under `sources:`.
public struct SourceConfig: Sendable {
  public enum Kind: Sendable, Equatable {
    /// Folders stored as tar streams, one item per folder.
    case files(paths: [String], exclude: [String])
    /// A program whose standard output is the item.
    case command(argv: [String])
  }

  public var name: String
  public var kind: Kind
  /// How old the newest good backup may be, in seconds (`rpo: 24h`).
  public var rpoSeconds: Double?
  /// The line of the source's entry, for messages.
  public var line: Int?

  static let engineTypes: Set<String> = ["postgres", "mariadb", "mysql", "ldap", "redis"]

  static func parse(name: String, _ node: ConfigNode) throws -> SourceConfig {
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
      throw node.error("source names may use letters, digits, '-', '_' and '.'")
    }
    let entries = try node.mapping()
    guard let typeNode = entries.first(where: { $0.key == "type" })?.value else {
      throw node.error("missing key 'type' (files or command)")
    }
    let type = try typeNode.string()
    var common: Set<String> = ["type", "rpo"]
    let kind: Kind
    switch type {
    case "files":
      common.formUnion(["paths", "exclude"])
      _ = try node.mapping(allowed: common)
      guard let paths = entries.first(where: { $0.key == "paths" })?.value else {
        throw node.error("missing key 'paths' (the folders to back up)")
      }
      let exclude = try entries.first(where: { $0.key == "exclude" })?.value.strings() ?? []
      let folders = try paths.strings(single: true)
      guard !folders.isEmpty else { throw paths.error("list at least one folder") }
      kind = .files(paths: folders, exclude: exclude)
    case "command":
      common.insert("command")
      _ = try node.mapping(allowed: common)
      guard let command = entries.first(where: { $0.key == "command" })?.value else {
        throw node.error("missing key 'command' (the program and its arguments, as a list)")
      }
      let argv = try command.strings()
      guard !argv.isEmpty else { throw command.error("the command needs at least a program name") }
      kind = .command(argv: argv)
    case let other where engineTypes.contains(other):
      throw typeNode.error("source type '\(other)' is not available in this version; use files or command")
    default:
      throw typeNode.error("unknown source type '\(type)'; expected files or command")
    }
    var source = SourceConfig(name: name, kind: kind, line: node.line)
    if let rpo = entries.first(where: { $0.key == "rpo" })?.value {
      guard let seconds = DurationText.seconds(try rpo.string()) else {
        throw rpo.error("expected a duration such as 24h, 36h or 7d")
      }
      source.rpoSeconds = seconds
    }
    return source
  }
}
