import DatamancyRepository
import Foundation

/// A set as `backup --json` prints it: the stored fields and its id.
struct IdentifiedSet: Encodable {
  enum Key: String, CodingKey { case id }
  var set: BackupSet

  func encode(to encoder: any Encoder) throws {
    try set.encode(to: encoder)
    var container = encoder.container(keyedBy: Key.self)
    try container.encode(set.id, forKey: .id)
  }
}
