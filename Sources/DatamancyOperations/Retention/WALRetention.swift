import DatamancyRepository
import DatamancySources
import Foundation

/// `prune` of WAL archives: a source's WAL is kept from the start of its oldest
/// kept, recoverable base backup on; what precedes it can no longer be replayed
/// onto anything. Nothing is removed while no base backup is recoverable, and
/// `.history` files stay (they are tiny and recovery follows timelines through
/// them). Runs under prune's exclusive lock; `wal-push` takes no lock, and only
/// ever adds files newer than those removed.
public enum WALRetention {
  /// `after` is the chunk prune's report: while a set file cannot be read, the
  /// base backup it may hold could be the oldest, so no WAL is removed.
  public static func run(_ repository: Repository, after prune: PruneReport, dryRun: Bool, now: Date) throws
    -> [WALPruned]
  {
    let sets = try repository.sets()
    return try repository.walSources().map { source in
      guard prune.damagedSets.isEmpty else {
        return WALPruned(source: source, files: 0, bytes: 0, keptFrom: nil)
      }
      let state = try WALArchiveState.read(repository, source: source)
      guard let oldest = PointInTimeRestore.windows(state, sets: sets).first(where: \.chain.complete) else {
        return WALPruned(source: source, files: 0, bytes: 0, keptFrom: nil)
      }
      let start = oldest.base.label.startSegment(size: state.segmentSize)
      // A segment, `.backup` or `.partial` file starts with its segment's name
      // (a `.history` file does not, and stays).
      let removable = state.objects.values.filter { object in
        WALSegment(name: String(object.name.prefix(24)), size: state.segmentSize).map {
          $0.number < start.number
        } ?? false
      }
      if !dryRun {
        for object in removable { try repository.deleteWAL(source: source, name: object.name) }
        // Failure records of files archived since, and any older than a week.
        for failure in try repository.walFailures(source: source)
        where (!failure.conflict && state.objects[failure.name] != nil)
          || now.timeIntervalSince(failure.time) > 7 * 86400
        {
          try repository.deleteWALFailure(source: source, name: failure.name)
        }
      }
      return WALPruned(
        source: source, files: removable.count, bytes: removable.reduce(0) { $0 + $1.size },
        keptFrom: start.name)
    }
  }
}
