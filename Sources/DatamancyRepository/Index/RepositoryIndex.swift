import Foundation

/// Where a chunk is stored.
public struct ChunkLocation: Sendable {
  public var pack: String
  public var entry: PackEntry
}

/// The in-memory index: chunk id → pack, offset, lengths. About 60 bytes per
/// chunk, so a terabyte of unique 1 MiB chunks needs about 60 MiB.
///
/// A pack the index names but the storage lacks (or holds shorter than its
/// indexed entries need) is *unusable*: its chunks are not served from it, so a backup
/// stores them again and a restore reports which pack is gone.
public struct RepositoryIndex: Sendable {
  private var packs: [String] = []
  private var packNumbers: [String: Int32] = [:]
  /// The least file size each pack's indexed entries imply, by pack number.
  private var sizes: [Int] = []
  private var entries: [ChunkID: (Int32, PackEntry)] = [:]
  /// Chunks of unusable packs, for naming the lost pack.
  private var lostIn: [ChunkID: Int32] = [:]
  /// Index files this index was read from.
  public internal(set) var files: [String] = []
  /// Indexed packs that cannot be used, with why (missing, truncated).
  public private(set) var unusablePacks: [String: String] = [:]

  public init() {}

  public var chunkCount: Int { entries.count }
  public var packIDs: [String] { packs }

  public func contains(_ id: ChunkID) -> Bool { entries[id] != nil }

  public func location(of id: ChunkID) -> ChunkLocation? {
    guard let (pack, entry) = entries[id] else { return nil }
    return ChunkLocation(pack: packs[Int(pack)], entry: entry)
  }

  /// The unusable pack that held `id`, when that is why it is not indexed.
  public func lostPack(of id: ChunkID) -> String? {
    lostIn[id].map { packs[Int($0)] }
  }

  /// The least size a pack's file must have, as its indexed entries say.
  public func expectedSize(of pack: String) -> Int? {
    packNumbers[pack].map { sizes[Int($0)] }
  }

  /// Adds a pack's entries; a chunk already known keeps its first location. With
  /// `unusable` (a reason), the pack is recorded but none of its chunks are served
  /// from it.
  public mutating func add(pack: String, entries newEntries: [PackEntry], unusable: String? = nil) {
    let number: Int32
    if let known = packNumbers[pack] {
      number = known
    } else {
      number = Int32(packs.count)
      packs.append(pack)
      sizes.append(PackFormat.fileSize(of: newEntries))
      packNumbers[pack] = number
    }
    if let unusable {
      unusablePacks[pack] = unusable
      for entry in newEntries where lostIn[entry.id] == nil { lostIn[entry.id] = number }
      return
    }
    for entry in newEntries where entries[entry.id] == nil {
      entries[entry.id] = (number, entry)
      lostIn[entry.id] = nil
    }
  }

  /// The indexed chunks' plaintext and sealed (compressed, encrypted) bytes.
  public var totals: (raw: Int, sealed: Int) {
    entries.values.reduce(into: (0, 0)) { sum, value in
      sum.0 += Int(value.1.rawLength)
      sum.1 += Int(value.1.length)
    }
  }

  /// Every (pack, entries) pair, for checks.
  public var entriesByPack: [String: [PackEntry]] {
    var out: [String: [PackEntry]] = [:]
    for (_, (pack, entry)) in entries { out[packs[Int(pack)], default: []].append(entry) }
    return out
  }
}
