import Yams

/// A YAML node with the dotted key path that leads to it, so every error can
/// name the key and line.
public struct ConfigNode {
  let node: Node
  let path: String
  let file: String

  public var line: Int? { node.mark.map { $0.line } }

  public func error(_ message: String, key: String? = nil, at line: Int? = nil) -> ConfigError {
    ConfigError(file: file, key: key ?? path, line: line ?? self.line, message: message)
  }

  func child(_ key: String, _ node: Node) -> ConfigNode {
    ConfigNode(node: node, path: path.isEmpty ? key : path + "." + key, file: file)
  }

  /// The entries of a mapping, in file order; rejects keys not in `allowed`.
  public func mapping(allowed: Set<String>? = nil) throws -> [(key: String, value: ConfigNode)] {
    guard case .mapping(let mapping) = node else { throw error("expected a mapping of keys to values") }
    return try mapping.map { pair in
      guard case .scalar(let scalar) = pair.key else { throw error("keys must be plain names") }
      if let allowed, !allowed.contains(scalar.string) {
        throw error(
          "unknown key; expected one of: \(allowed.sorted().joined(separator: ", "))",
          key: path.isEmpty ? scalar.string : path + "." + scalar.string, at: pair.key.mark?.line)
      }
      return (scalar.string, child(scalar.string, pair.value))
    }
  }

  /// A text value. YAML's null (`~`, `null`, nothing) is not text: `path: ~` is
  /// refused here rather than taken for a folder named `~`.
  public func string() throws -> String {
    guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
      throw error("expected a text value")
    }
    if node.null != nil {
      throw error("expected a text value, found YAML's null '\(scalar.string)' (quote it to mean the text)")
    }
    return scalar.string
  }

  public func int(in range: ClosedRange<Int>) throws -> Int {
    guard let value = Int(try string()), range.contains(value) else {
      throw error("expected a whole number from \(range.lowerBound) to \(range.upperBound)")
    }
    return value
  }

  public func bool() throws -> Bool {
    switch try string().lowercased() {
    case "true", "yes", "on": return true
    case "false", "no", "off": return false
    default: throw error("expected true or false")
    }
  }

  /// The items of a list.
  public func sequence() throws -> [ConfigNode] {
    guard case .sequence(let sequence) = node else { throw error("expected a list") }
    return sequence.enumerated().map { i, item in child("\(i)", item) }
  }

  /// A list of texts; a single text is accepted as a list of one when `single` is true.
  public func strings(single: Bool = false) throws -> [String] {
    if case .scalar = node, single { return [try string()] }
    guard case .sequence(let sequence) = node else { throw error("expected a list, such as [a, b]") }
    return try sequence.enumerated().map { i, item in try child("\(i)", item).string() }
  }
}
