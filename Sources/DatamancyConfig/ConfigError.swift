/// A configuration file that cannot be used: names the file, the key and the line.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
  public var file: String
  /// Dotted path of the offending key, such as `sources.volumes.paths`.
  public var key: String
  /// 1-based line, when known.
  public var line: Int?
  public var message: String

  public init(file: String, key: String, line: Int?, message: String) {
    self.file = file
    self.key = key
    self.line = line
    self.message = message
  }

  public var description: String {
    let place = line.map { "\(file):\($0)" } ?? file
    return key.isEmpty ? "\(place): \(message)" : "\(place): \(key): \(message)"
  }
}
