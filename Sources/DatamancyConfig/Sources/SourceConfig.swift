/// One entry under `sources:`.
public struct SourceConfig: Sendable {
  public var name: String
  /// Its type's own name (`postgres` for `type: postgresql` too).
  public var type: String
  /// What its type read from the entry.
  public var settings: any SourceSettings
  /// How old the newest good backup may be, in seconds (`rpo: 24h`).
  public var rpoSeconds: Double?
  /// This source's own retention rules, replacing the top level's.
  public var retention: RetentionSettings?
  /// The line of the source's entry, for messages.
  public var line: Int?

  public init(name: String, type: String, settings: any SourceSettings, line: Int? = nil) {
    self.name = name
    self.type = type
    self.settings = settings
    self.line = line
  }

  /// The settings as `T`, when the source's type reads that kind.
  public func settings<T: SourceSettings>(as type: T.Type) -> T? { settings as? T }

  static func parse(name: String, _ node: ConfigNode, types: [SourceType]) throws -> SourceConfig {
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
      throw node.error("source names may use letters, digits, '-', '_' and '.'")
    }
    let entries = try node.mapping()
    let spellings = types.flatMap(\.names).joined(separator: ", ")
    guard let typeNode = entries.first(where: { $0.key == "type" })?.value else {
      throw node.error("missing key 'type' (one of \(spellings))")
    }
    let spelled = try typeNode.string()
    guard let type = types.first(where: { $0.names.contains(spelled) }) else {
      throw typeNode.error("unknown source type '\(spelled)'; expected one of \(spellings)")
    }
    _ = try node.mapping(allowed: type.keys.union(["type", "rpo", "retention"]))
    let settings = try type.read(SourceEntry(node: node, entries: entries))
    var source = SourceConfig(name: name, type: type.name, settings: settings, line: node.line)
    if let rpo = entries.first(where: { $0.key == "rpo" })?.value {
      source.rpoSeconds = try rpo.duration(examples: "24h, 36h or 7d")
    }
    if let retention = entries.first(where: { $0.key == "retention" })?.value {
      source.retention = try RetentionSettings.parse(retention)
      if source.retention!.auto { throw retention.error("'auto' belongs in the top-level retention") }
    }
    return source
  }
}
