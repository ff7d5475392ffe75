import DatamancyConfig
import DatamancyRepository
import DatamancySources
import Foundation

/// What `recover` will do: for every configured source (narrowed by `--only`
/// and `--skip`), each of its items at its newest good copy across the sets,
/// where it goes and in which stage, and what stands in the way.
public struct RecoveryPlan {
  public struct Entry {
    public var source: String
    public var itemName: String
    /// The newest set holding a good copy of the item; nil when none does.
    public var set: BackupSet?
    public var item: BackupItem?
    public var stage: RecoveryStage?
    public var target: (any RecoveryTarget)?
    /// Why the item is not recovered (no good copy, an engine that leaves it to `restore`).
    public var skipped: String?
    /// The source whose whole cluster brings this item back.
    public var coveredBy: String?
  }

  public var entries: [Entry]
  /// Sources named by `--only` or `--skip` that the configuration does not have.
  public var unknownSources: [String]

  /// The newest good copy of each item of each source, from the sets that are
  /// backups (not pre-restore copies), newest first.
  public static func make(
    sets: [BackupSet], context: RecoveryContext, only: [String], skip: [String],
    leftOut: [String: String] = [:]
  ) -> RecoveryPlan {
    let config = context.operations.config
    let names = Set(config.sources.map(\.name))
    let unknown = (only + skip).filter { !names.contains($0) }
    let newestFirst = sets.filter { !$0.isSafetyCopy }.sorted { $0.time > $1.time }
    var entries: [Entry] = []
    for source in config.sources {
      guard only.isEmpty || only.contains(source.name), !skip.contains(source.name) else { continue }
      if let reason = leftOut[source.name] {
        entries.append(Entry(source: source.name, itemName: source.name, skipped: reason))
        continue
      }
      // The items of the source's newest set that holds any good one of them: an
      // item dropped before that (a database deleted) does not come back.
      guard
        let newest = newestFirst.first(where: { set in
          set.items.contains { $0.source == source.name && $0.status == .ok }
        })
      else {
        entries.append(
          Entry(
            source: source.name, itemName: source.name, skipped: "no set holds a good copy of this source"))
        continue
      }
      for wanted in newest.items where wanted.source == source.name {
        var entry = Entry(source: source.name, itemName: wanted.name)
        guard
          let set = newestFirst.first(where: { set in
            set.items.contains { $0.name == wanted.name && $0.status == .ok }
          }), let item = set.items.first(where: { $0.name == wanted.name && $0.status == .ok })
        else {
          entry.skipped = "no set holds a good copy of it"
          entries.append(entry)
          continue
        }
        entry.set = set
        entry.item = item
        switch context.operations.engines.engine(of: source).anyRecovery(
          of: item, in: source, context: context)
        {
        case .target(let stage, let target):
          entry.stage = stage
          entry.target = target
          if let copy = target.chosenCopy {
            entry.set = copy.set
            entry.item = copy.item
          }
        case .unsupported(let reason):
          entry.skipped = reason
        }
        entries.append(entry)
      }
    }
    return RecoveryPlan(entries: Self.coveredByWholeServers(entries), unknownSources: unknown)
  }

  /// A server that comes back whole (a cluster to a point in time) takes with
  /// it everything the other sources would put there (its databases and roles
  /// from the dumps): those are left out, or they would overwrite the point.
  static func coveredByWholeServers(_ entries: [Entry]) -> [Entry] {
    var whole: [String: String] = [:]
    for entry in entries {
      if let target = entry.target, target.replacesServer, let server = target.server {
        whole[server] = entry.source
      }
    }
    return entries.map { entry in
      guard let target = entry.target, !target.replacesServer, let server = target.server,
        let source = whole[server]
      else { return entry }
      var covered = entry
      covered.target = nil
      covered.stage = nil
      covered.coveredBy = source
      covered.skipped =
        "comes back with the whole cluster of \(source) (pass --skip \(source) to restore it from its dump)"
      return covered
    }
  }

  /// The entries to restore in `stage`.
  public func entries(in stage: RecoveryStage) -> [Entry] {
    entries.filter { $0.stage == stage && $0.target != nil }
  }
}
