import Foundation

/// Where a chunk is stored.
public struct ChunkLocation: Sendable {
  public var pack: String
  public var entry: PackEntry
}

/// The in-memory index: chunk id → pack, offset, lengths. About 60 bytes per
/// chunk, so a terabyte of unique 1 MiB chunks needs about 60 MiB.
public struct RepositoryIndex: Sendable {
  private var packs: [String] = []
  private var packNumbers: [String: Int32] = [:]
  private var entries: [ChunkID: (Int32, PackEntry)] = [:]
  /// Index files this index was read from.
  public internal(set) var files: [String] = []

  public init() {}

  public var chunkCount: Int { entries.count }
  public var packIDs: [String] { packs }

  public func contains(_ id: ChunkID) -> Bool { entries[id] != nil }

  public func location(of id: ChunkID) -> ChunkLocation? {
    guard let (pack, entry) = entries[id] else { return nil }
    return ChunkLocation(pack: packs[Int(pack)], entry: entry)
  }

  /// Adds a pack's entries; a chunk already known keeps its first location.
  public mutating func add(pack: String, entries newEntries: [PackEntry]) {
    let number: Int32
    if let known = packNumbers[pack] {
      number = known
    } else {
      number = Int32(packs.count)
      packs.append(pack)
      packNumbers[pack] = number
    }
    for entry in newEntries where entries[entry.id] == nil { entries[entry.id] = (number, entry) }
  }

  /// Every (pack, entries) pair, for checks.
  public var entriesByPack: [String: [PackEntry]] {
    var out: [String: [PackEntry]] = [:]
    for (_, (pack, entry)) in entries { out[packs[Int(pack)], default: []].append(entry) }
    return out
  }
}
