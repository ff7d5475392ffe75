import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// Streams an item out of the repository into the check its content calls for
/// (`ContentCheck`, declared by the engine whose items record that content):
/// a tool that must read it, the fingerprints recorded at backup, or both. A
/// file tree's trees and files are read in place.
///
/// What the item's source recorded it holds (`ItemContent`) must agree with what
/// its first bytes show. Items of sets that predate that record are checked by
/// what their first bytes show.
///
/// Every chunk's id is recomputed from its plaintext, which a restore leaves to the
/// checksum of the chunk's zstd frame (`ChunkStreamer.recomputesIDs`).
struct IntegrityCheck {
  let repository: Repository
  let runner: any ProcessRunner
  let engines: EngineRegistry

  private var streamer: ChunkStreamer {
    var streamer = ChunkStreamer(repository: repository)
    streamer.recomputesIDs = true
    return streamer
  }

  /// Returns what was checked; throws `ContentCheck.Failed` (or a repository error).
  func run(_ item: BackupItem, of set: BackupSet) throws -> String {
    if item.format == .tree { return try checkTree(item, of: set) }
    let ids = try ChunkStreamer.ids(of: item, set: set)
    var checking: ContentCheck.Checking?
    try streamer.stream(ids) { data in
      if checking == nil { checking = try check(for: item, head: data).start(item, runner) }
      try checking!.consume(data)
    }
    guard let checking else { return "empty: nothing to check" }
    return try checking.finish()
  }

  /// The check the item's content calls for. An item whose source recorded
  /// what it holds must show it: a database dump that no longer reads as one is
  /// a failure, never "every chunk read". So is a content this version does not
  /// know (a set from a newer version), and, in sets that predate the record,
  /// table fingerprints on bytes of no known format.
  func check(for item: BackupItem, head: Data) throws -> ContentCheck {
    let found = engines.recognisers.first { $0.recognises?(item, head) ?? false } ?? .unchecked
    guard let content = item.content else {
      guard found.recognises != nil || (item.fingerprints ?? []).isEmpty else {
        throw ContentCheck.Failed("the item has table fingerprints but its bytes are no dump this tool reads")
      }
      return found
    }
    guard let expected = engines.contentChecks[content] else {
      throw ContentCheck.Failed(
        "the item holds '\(content)', which this version cannot check; "
          + "verify with the version that made it or a newer one")
    }
    if expected.picksByFirstBytes { return found }
    guard expected.name == found.name else {
      throw ContentCheck.Failed("recorded as \(expected.name), but its first bytes are \(found.name)")
    }
    return expected
  }

  /// A file tree: every tree decodes, and every file's chunks authenticate and
  /// hold exactly the bytes its entry records.
  private func checkTree(_ item: BackupItem, of set: BackupSet) throws -> String {
    var pending = [try repository.rootTree(of: item, in: set)]
    var (files, bytes) = (0, 0)
    while let chunks = pending.popLast() {
      for entry in try repository.readTree(chunks).entries {
        if entry.kind == .directory, !entry.chunks.isEmpty { pending.append(entry.chunks) }
        guard entry.kind == .file else { continue }
        var length = 0
        try streamer.stream(entry.chunks) { length += $0.count }
        guard UInt64(length) == entry.storedLength else {
          throw ContentCheck.Failed(
            "\(entry.displayName) holds \(length) bytes, \(entry.storedLength) recorded")
        }
        files += 1
        bytes += length
      }
    }
    return "every tree read and \(Formatting.count(files, "file")) (\(Formatting.bytes(bytes))) authenticated"
  }
}
