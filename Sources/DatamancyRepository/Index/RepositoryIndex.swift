import Foundation

/// Where a chunk is stored.
public struct ChunkLocation: Sendable {
  public var pack: String
  public var entry: PackEntry
}

/// The in-memory index: chunk id → pack, offset, lengths.
///
/// Entries are fixed-size records (`IndexSlot`, 48 bytes: the id's four words, the
/// pack's number, offset and both lengths) in one array sorted by id and found by
/// binary search, plus a small hash table of the newest additions, merged into
/// the array once it holds an eighth as many. A dictionary of entries costs
/// several times that per chunk (the key stored twice, boxed values, a sparse
/// table); `bench/index` measures the bytes per chunk.
///
/// A pack the index names but the storage lacks (or holds shorter than its
/// indexed entries need) is *unusable*: its chunks are not served from it, so a backup
/// stores them again and a restore reports which pack is gone.
public struct RepositoryIndex: Sendable {
  private var packs: [String] = []
  private var packNumbers: [String: Int32] = [:]
  /// The least file size each pack's indexed entries imply, by pack number.
  private var sizes: [Int] = []
  /// Sorted by id, no id twice.
  private var sorted: [IndexSlot] = []
  /// Added since the last merge; no id of `sorted`.
  private var recent: [ChunkID: IndexSlot] = [:]
  /// Chunks of unusable packs, for naming the lost pack.
  private var lostIn: [ChunkID: Int32] = [:]
  /// Index files this index was read from.
  public internal(set) var files: [String] = []
  /// Indexed packs that cannot be used, with why (missing, truncated).
  public private(set) var unusablePacks: [String: String] = [:]

  public init() {}

  public var chunkCount: Int { sorted.count + recent.count }
  public var packIDs: [String] { packs }

  public func contains(_ id: ChunkID) -> Bool { slot(of: id) != nil }

  public func location(of id: ChunkID) -> ChunkLocation? {
    slot(of: id).map { ChunkLocation(pack: packs[Int($0.pack)], entry: $0.entry) }
  }

  private func slot(of id: ChunkID) -> IndexSlot? {
    if let found = recent[id] { return found }
    var low = 0
    var high = sorted.count
    while low < high {
      let middle = (low + high) / 2
      let candidate = sorted[middle].id
      if candidate == id { return sorted[middle] }
      if candidate < id { low = middle + 1 } else { high = middle }
    }
    return nil
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
    for entry in newEntries where slot(of: entry.id) == nil {
      recent[entry.id] = IndexSlot(pack: number, entry: entry)
      if !lostIn.isEmpty { lostIn[entry.id] = nil }
    }
    if recent.count > max(1 << 16, sorted.count / 8) { merge() }
  }

  /// Moves the recent additions into the sorted array: appended, then merged in
  /// place from the back, so no second copy of the array is made (the pages of
  /// its unused capacity are not touched, and cost no memory).
  private mutating func merge() {
    let added = recent.values.sorted { $0.id < $1.id }
    recent = [:]
    var i = sorted.count - 1
    var j = added.count - 1
    sorted.append(contentsOf: added)
    var k = sorted.count - 1
    while j >= 0 {
      if i >= 0 && added[j].id < sorted[i].id {
        sorted[k] = sorted[i]
        i -= 1
      } else {
        sorted[k] = added[j]
        j -= 1
      }
      k -= 1
    }
  }

  private func forEachSlot(_ body: (IndexSlot) -> Void) {
    for slot in sorted { body(slot) }
    for slot in recent.values { body(slot) }
  }

  /// The indexed chunks' plaintext and sealed (compressed, encrypted) bytes.
  public var totals: (raw: Int, sealed: Int) {
    var sum = (raw: 0, sealed: 0)
    forEachSlot { slot in
      sum.raw += Int(slot.rawLength)
      sum.sealed += Int(slot.length)
    }
    return sum
  }

  /// Every (pack, entries) pair, for checks.
  public var entriesByPack: [String: [PackEntry]] {
    var out: [String: [PackEntry]] = [:]
    forEachSlot { slot in out[packs[Int(slot.pack)], default: []].append(slot.entry) }
    return out
  }
}

/// One indexed chunk in 48 bytes: its id, its pack's number, and where and how
/// long it is there.
struct IndexSlot: Sendable {
  let id: ChunkID
  let pack: Int32
  let offset: UInt32
  let length: UInt32
  let rawLength: UInt32

  init(pack: Int32, entry: PackEntry) {
    id = entry.id
    self.pack = pack
    offset = entry.offset
    length = entry.length
    rawLength = entry.rawLength
  }

  var entry: PackEntry { PackEntry(id: id, offset: offset, length: length, rawLength: rawLength) }
}
