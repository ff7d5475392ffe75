/// How the configuration spells one kind of source and reads its entry: the
/// names `type:` accepts, the keys the entry may have, and the parser of its
/// settings. The configuration knows only the list it is given
/// (`SourceType.builtIn` unless a caller adds its own).
public struct SourceType: Sendable {
  /// The spellings of `type:`, its own first (`postgres`, then `postgresql`).
  public let names: [String]
  /// The keys of its entry besides those every source has (`type`, `rpo`,
  /// `retention`).
  public let keys: Set<String>
  let read: @Sendable (SourceEntry) throws -> any SourceSettings

  public init(
    names: [String], keys: Set<String>, read: @escaping @Sendable (SourceEntry) throws -> any SourceSettings
  ) {
    precondition(!names.isEmpty, "a source type needs a name")
    self.names = names
    self.keys = keys
    self.read = read
  }

  /// The name settings and messages use.
  public var name: String { names[0] }
}

/// One source's entry as its type reads it.
public struct SourceEntry {
  /// The whole entry, for messages about it.
  public let node: ConfigNode
  public let entries: [(key: String, value: ConfigNode)]

  /// The value of `key`, if the entry has it.
  public func value(_ key: String) -> ConfigNode? { entries.first { $0.key == key }?.value }

  /// The value of `key`; a message saying what it is for when it is missing.
  public func required(_ key: String, _ why: String) throws -> ConfigNode {
    guard let value = value(key) else { throw node.error("missing key '\(key)' (\(why))") }
    return value
  }

  /// A string value, if the entry has it.
  public func text(_ key: String) throws -> String? { try value(key)?.string() }

  /// An error about the entry as a whole.
  public func error(_ message: String) -> ConfigError { node.error(message) }
}
