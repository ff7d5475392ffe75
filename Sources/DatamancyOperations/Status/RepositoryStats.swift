import DatamancyRepository
import Foundation

/// `stats`: what the repository holds and what deduplication and compression
/// save, in total and per item.
public struct RepositoryStats: Encodable, Sendable {
  public struct Item: Encodable, Sendable {
    public var item: String
    /// Sets holding a good copy.
    public var copies: Int
    /// The newest good copy's size.
    public var latestRawBytes: Int
    /// Every copy's size, added up: what plain copies would take.
    public var totalRawBytes: Int
    /// The distinct chunks of all its copies: their plaintext and their stored size
    /// (a chunk shared with another item counts for both).
    public var uniqueRawBytes: Int
    public var uniqueStoredBytes: Int
  }

  public var sets: Int
  public var packs: Int
  /// The pack files' sizes: what the repository's data takes on its storage.
  public var storedBytes: Int
  /// Every item of every set, added up.
  public var totalRawBytes: Int
  /// The distinct chunks' plaintext and their sealed size.
  public var uniqueRawBytes: Int
  public var uniqueSealedBytes: Int
  public var items: [Item]

  /// Plain copies against distinct data (2.0: deduplication halves it).
  public var dedupRatio: Double { Self.ratio(totalRawBytes, uniqueRawBytes) }
  /// Distinct data against its sealed size.
  public var compressionRatio: Double { Self.ratio(uniqueRawBytes, uniqueSealedBytes) }

  static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 1 : Double(a) / Double(b) }

  enum CodingKeys: String, CodingKey {
    case sets, packs, storedBytes, totalRawBytes, uniqueRawBytes, uniqueSealedBytes, items, dedupRatio
    case compressionRatio
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(sets, forKey: .sets)
    try container.encode(packs, forKey: .packs)
    try container.encode(storedBytes, forKey: .storedBytes)
    try container.encode(totalRawBytes, forKey: .totalRawBytes)
    try container.encode(uniqueRawBytes, forKey: .uniqueRawBytes)
    try container.encode(uniqueSealedBytes, forKey: .uniqueSealedBytes)
    try container.encode(items, forKey: .items)
    try container.encode(dedupRatio, forKey: .dedupRatio)
    try container.encode(compressionRatio, forKey: .compressionRatio)
  }

  /// Reads the sets, the index (already loaded) and one listing of the packs.
  public static func build(_ repository: Repository) throws -> RepositoryStats {
    let sets = try repository.sets()
    let packs = try repository.storage.listObjects(prefix: "data/").filter { !$0.name.hasSuffix(".tmp") }
    let (uniqueRaw, uniqueSealed) = repository.index.totals
    var copies: [String: [BackupItem]] = [:]
    for set in sets {
      for item in set.items where item.status == .ok { copies[item.name, default: []].append(item) }
    }
    let items = copies.keys.sorted().map { name -> Item in
      let history = copies[name]!
      var seen = Set<String>()
      var raw = 0
      var stored = 0
      for chunk in history.flatMap(\.chunks) where seen.insert(chunk).inserted {
        guard let id = ChunkID(hex: chunk), let location = repository.index.location(of: id) else { continue }
        raw += Int(location.entry.rawLength)
        stored += Int(location.entry.length)
      }
      return Item(
        item: name, copies: history.count, latestRawBytes: history.last!.rawBytes,
        totalRawBytes: history.reduce(0) { $0 + $1.rawBytes }, uniqueRawBytes: raw, uniqueStoredBytes: stored)
    }
    return RepositoryStats(
      sets: sets.count, packs: packs.count, storedBytes: packs.reduce(0) { $0 + $1.size },
      totalRawBytes: sets.reduce(0) { $0 + $1.rawBytes }, uniqueRawBytes: uniqueRaw,
      uniqueSealedBytes: uniqueSealed, items: items)
  }

  /// As `stats` prints it.
  public var text: String {
    var rows = [["item", "copies", "latest", "all copies", "distinct", "stored", "dedup"]]
    for item in items {
      rows.append([
        item.item, "\(item.copies)", Formatting.bytes(item.latestRawBytes),
        Formatting.bytes(item.totalRawBytes),
        Formatting.bytes(item.uniqueRawBytes), Formatting.bytes(item.uniqueStoredBytes),
        String(format: "%.1fx", Self.ratio(item.totalRawBytes, item.uniqueRawBytes)),
      ])
    }
    return [
      Formatting.table(rows),
      "\(Formatting.count(sets, "set")), \(Formatting.count(packs, "pack")), \(Formatting.bytes(storedBytes)) stored",
      "all copies \(Formatting.bytes(totalRawBytes)) → distinct \(Formatting.bytes(uniqueRawBytes)) "
        + String(format: "(dedup %.1fx)", dedupRatio) + " → sealed \(Formatting.bytes(uniqueSealedBytes)) "
        + String(format: "(compression %.2fx)", compressionRatio),
    ].joined(separator: "\n")
  }
}
