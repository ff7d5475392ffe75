/// What `check` found.
public struct CheckReport: Codable, Sendable {
  /// One finding, naming the damaged file.
  public struct Finding: Codable, Sendable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
  }

  /// Damage: the repository cannot be trusted until it is repaired.
  public var errors: [Finding] = []
  /// Harmless leftovers, such as packs of an interrupted backup.
  public var warnings: [Finding] = []
  /// What is true and expected, such as packs of a backup still running.
  public var notes: [Finding] = []
  public var keyFiles = 0
  public var indexFiles = 0
  public var packs = 0
  public var sets = 0
  public var chunksRead = 0
  public var bytesRead = 0
  public var readData = false

  public var passed: Bool { errors.isEmpty }
}
