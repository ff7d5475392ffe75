import DatamancyStorage
import Foundation

/// A set file that cannot be read: damaged, or not a set at all.
public struct DamagedSet: Sendable, Encodable, CustomStringConvertible {
  /// The file, `snapshots/<id>`.
  public var file: String
  public var reason: String
  public var id: String { (file as NSString).lastPathComponent }
  public var description: String { "\(file): \(reason)" }
}

extension Repository {
  /// Every readable backup set, oldest first. A damaged set file is skipped, with
  /// a warning through `warn`, so one bad file never blocks the others.
  public func sets() throws -> [BackupSet] {
    let listing = try setListing()
    // Once per file and process, however often a command lists the sets.
    for damaged in listing.damaged where warnedFiles.withLock({ $0.insert(damaged.file).inserted }) {
      warn?(
        "skipped set file \(damaged.file): \(damaged.reason); "
          + "'datamancy-backup forget \(damaged.id.prefix(8))' removes it, and until then prune keeps all data"
      )
    }
    return listing.sets
  }

  /// The sets of backup runs, oldest first: every readable set but the safety
  /// copies a forced restore saves (`BackupSet.isSafetyCopy`).
  public func backups() throws -> [BackupSet] { try sets().filter { !$0.isSafetyCopy } }

  /// Every set file: the readable sets, oldest first, and the damaged ones. With
  /// a `cache`, a file read before is not read again: set files are named by
  /// the hash of their content and never change.
  public func setListing(cache: FileCache<BackupSet>? = nil) throws -> (
    sets: [BackupSet], damaged: [DamagedSet]
  ) {
    var sets: [BackupSet] = []
    var damaged: [DamagedSet] = []
    let names = try storageCall({ try storage.list(prefix: "snapshots/") }).sorted()
    cache?.keep(names)
    for name in names {
      do {
        if let known = cache?[name] {
          sets.append(known)
          continue
        }
        let set = try loadSet(name: name)
        cache?[name] = set
        sets.append(set)
      } catch RepositoryError.damaged(let file, let reason) {
        damaged.append(DamagedSet(file: file, reason: reason))
      } catch let RepositoryError.storage(error) where error.isNotFound {
        continue  // Removed (forget, tag) between the listing and the read.
      }
    }
    return (sets.sorted { ($0.time, $0.id) < ($1.time, $1.id) }, damaged)
  }

  func loadSet(name: String) throws -> BackupSet {
    let plain = try getSealed(name, context: Sealing.Context.set)
    guard var set = try? BackupSet.decoder.decode(BackupSet.self, from: plain) else {
      throw RepositoryError.damaged(file: name, reason: "it is not a readable backup set")
    }
    // Every figure of a set is used in sums and pages: one out of range is damage.
    if let reason = set.outOfBounds { throw RepositoryError.damaged(file: name, reason: reason) }
    set.id = (name as NSString).lastPathComponent
    return set
  }

  /// Finds one set by `latest`, a full id, or a unique prefix of one. `latest` is
  /// the newest backup run (never a safety copy); with `items`, the newest that
  /// holds a good copy of each of them. A damaged set named by the selector is
  /// reported as damaged.
  public func findSet(_ selector: String, holding items: [String] = []) throws -> BackupSet {
    let all = try sets()
    if selector == "latest" {
      guard let newest = all.last(where: { set in !set.isSafetyCopy && items.allSatisfy(set.hasGood) }) else {
        if items.isEmpty { throw RepositoryError.noSuchSet(selector: selector) }
        throw RepositoryError.noSuchSet(
          selector: "latest holding a good copy of \(items.joined(separator: ", "))")
      }
      return newest
    }
    let matches = all.filter { $0.id.hasPrefix(selector.lowercased()) }
    guard matches.count == 1, !selector.isEmpty else {
      if matches.isEmpty, !selector.isEmpty,
        let damaged = try setListing().damaged.first(where: { $0.id.hasPrefix(selector.lowercased()) })
      {
        throw RepositoryError.damaged(file: damaged.file, reason: damaged.reason)
      }
      throw RepositoryError.noSuchSet(selector: selector)
    }
    return matches[0]
  }

  /// Stores a set; the returned copy carries its id.
  public func save(_ set: BackupSet) throws -> BackupSet {
    var saved = set
    saved.id = try putSealed(
      try BackupSet.encoder.encode(set), folder: "snapshots", context: Sealing.Context.set)
    return saved
  }

  /// Stores a report (verify, drill) about a set, sealed, as
  /// `reports/<set id>/<sha256>`; returns its name.
  @discardableResult
  public func saveReport(_ json: Data, about set: String) throws -> String {
    "reports/\(set)/" + (try putSealed(json, folder: "reports/\(set)", context: Sealing.Context.report))
  }

  /// The reports saved about a set, as JSON, in no particular order.
  public func reports(about set: String) throws -> [Data] {
    try reports(prefix: "reports/\(set)/").map(\.json)
  }

  /// Every report of every set, from one listing, in no particular order. With a
  /// `cache`, a report read before is not read again (named by content, too).
  public func allReports(cache: FileCache<Data>? = nil) throws -> [(set: String, json: Data)] {
    try reports(prefix: "reports/", cache: cache)
  }

  private func reports(prefix: String, cache: FileCache<Data>? = nil) throws -> [(set: String, json: Data)] {
    let names = try storageCall { try storage.list(prefix: prefix) }
    cache?.keep(names)
    return try names.map { name in
      let set = name.split(separator: "/").dropFirst().first.map(String.init) ?? ""
      if let known = cache?[name] { return (set, known) }
      let json = try getSealed(name, context: Sealing.Context.report)
      cache?[name] = json
      return (set, json)
    }
  }
}

extension Repository {
  /// Stores `set` (changed tags) under its new name, then removes the old file, so
  /// a crash leaves the set twice at worst, never lost. Returns the new copy.
  public func replace(_ set: BackupSet) throws -> BackupSet {
    let saved = try save(set)
    if saved.id != set.id { try storageCall { try storage.delete("snapshots/" + set.id) } }
    return saved
  }

  /// Removes a set's manifest and its reports. Its data stays until `prune`.
  public func forget(_ set: BackupSet) throws { try forgetFile(id: set.id) }

  /// Removes the set file `snapshots/<id>` (readable or not) and its reports.
  public func forgetFile(id: String) throws {
    try storageCall { try storage.delete("snapshots/" + id) }
    for name in try storageCall({ try storage.list(prefix: "reports/\(id)/") }) {
      try storageCall { try storage.delete(name) }
    }
  }
}
