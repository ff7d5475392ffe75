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
  /// Chunks the index names.
  public var chunks: Int
  /// The pack files' sizes: what the repository's data takes on its storage.
  public var storedBytes: Int
  /// Every item of every set, added up.
  public var totalRawBytes: Int
  /// The distinct chunks' plaintext and their sealed size.
  public var uniqueRawBytes: Int
  public var uniqueSealedBytes: Int
  public var items: [Item]
  /// Plain copies against distinct data (2.0: deduplication halves it).
  public var dedupRatio: Double
  /// Distinct data against its sealed size.
  public var compressionRatio: Double

  static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 1 : Double(a) / Double(b) }

  /// From the sets, the loaded index and the pack sizes loading it listed
  /// (`Repository.loadIndex`).
  public static func build(_ repository: Repository, packSizes: [String: Int]) throws -> RepositoryStats {
    let sets = try repository.sets()
    let (uniqueRaw, uniqueSealed) = repository.index.totals
    var copies: [String: [(set: BackupSet, item: BackupItem)]] = [:]
    for set in sets {
      for item in set.items where item.status == .ok { copies[item.name, default: []].append((set, item)) }
    }
    let items = try copies.keys.sorted().map { name -> Item in
      let history = copies[name]!
      var seen = Set<ChunkID>()
      var walked = Set<[ChunkID]>()
      for (set, item) in history {
        try repository.referencedChunks(of: item, in: set, into: &seen, walked: &walked)
      }
      var raw = 0
      var stored = 0
      for id in seen {
        guard let location = repository.index.location(of: id) else { continue }
        raw += Int(location.entry.rawLength)
        stored += Int(location.entry.length)
      }
      return Item(
        item: name, copies: history.count, latestRawBytes: history.last!.item.rawBytes,
        totalRawBytes: history.reduce(0) { $0 + $1.item.rawBytes }, uniqueRawBytes: raw,
        uniqueStoredBytes: stored)
    }
    let totalRaw = sets.reduce(0) { $0 + $1.rawBytes }
    return RepositoryStats(
      sets: sets.count, packs: packSizes.count, chunks: repository.index.chunkCount,
      storedBytes: packSizes.values.reduce(0, +),
      totalRawBytes: totalRaw, uniqueRawBytes: uniqueRaw, uniqueSealedBytes: uniqueSealed, items: items,
      dedupRatio: ratio(totalRaw, uniqueRaw), compressionRatio: ratio(uniqueRaw, uniqueSealed))
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
