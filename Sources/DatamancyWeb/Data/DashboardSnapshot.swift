import DatamancyConfig
import DatamancyOperations
import DatamancyRepository
import Foundation

/// Everything the pages show, read from the repository at once and then served
/// from memory: pages never wait on storage, however many sets there are.
public struct DashboardSnapshot: Sendable {
  public var time: Date
  /// Every readable set, safety copies included, newest first.
  public var sets: [BackupSet]
  public var damaged: [DamagedSet]
  public var status: StatusReport
  /// Drill reports, oldest first.
  public var drills: [DrillReport]
  /// `recover` and `drill --cluster` reports, oldest first.
  public var recoveries: [RecoveryReport] = []
  /// Verify reports with the set each is about, oldest first.
  public var verifies: [(set: String, report: VerifyReport)]
  /// Bytes in packs; unique bytes before and after compression.
  public var storedBytes: Int
  public var uniqueRawBytes: Int
  public var uniqueSealedBytes: Int
  /// Every item name and tag the sets hold, sorted (the Sets page's filters).
  public var itemNames: [String] = []
  public var tags: [String] = []

  var totalRawBytes: Int { sets.reduce(0) { $0 + $1.rawBytes } }
  public var dedupRatio: Double { uniqueRawBytes > 0 ? Double(totalRawBytes) / Double(uniqueRawBytes) : 1 }
  public var compressionRatio: Double {
    uniqueSealedBytes > 0 ? Double(uniqueRawBytes) / Double(uniqueSealedBytes) : 1
  }

  /// What one snapshot keeps for the next: files decrypted once, the WAL
  /// archive's state.
  public struct Caches: Sendable {
    let sets = FileCache<BackupSet>()
    let reports = FileCache<Data>()
    let activity = FileCache<Data>()
    let wal = WALArchiveState.Cache()
    public init() {}
  }

  /// Reads the snapshot; the caches keep set, report and activity files
  /// decrypted once.
  public static func read(
    _ repository: Repository, context: OperationContext, caches: Caches
  ) throws -> DashboardSnapshot {
    let listing = try repository.setListing(cache: caches.sets)
    let reports = try repository.allReports(cache: caches.reports)
    let totals = repository.index.totals
    var status = StatusReport.build(
      sets: listing.sets.filter { !$0.isSafetyCopy }, reports: reports,
      activity: try ActivityRecord.read(repository, cache: caches.activity), storedBytes: totals.sealed,
      context: context)
    try status.addWAL(repository, sets: listing.sets, context: context, cache: caches.wal)
    let saved = SavedReports(reports)
    var snapshot = DashboardSnapshot(
      time: context.now(), sets: listing.sets.reversed(), damaged: listing.damaged, status: status,
      drills: saved.drills.map(\.report), verifies: saved.verifies,
      storedBytes: status.storedBytes, uniqueRawBytes: totals.raw, uniqueSealedBytes: totals.sealed)
    snapshot.recoveries = saved.recoveries
    snapshot.itemNames = Set(listing.sets.flatMap { $0.items.map(\.name) }).sorted()
    snapshot.tags = Set(listing.sets.flatMap(\.tags)).sorted()
    return snapshot
  }

  /// The set with this id, or the one set whose id begins with it (the pages
  /// show ids cut to eight characters); nil when none or several do.
  func set(_ id: String) -> BackupSet? {
    if let exact = sets.first(where: { $0.id == id }) { return exact }
    guard id.count >= 4 else { return nil }
    let matching = sets.lazy.filter { $0.id.hasPrefix(id) }.prefix(2)
    return matching.count == 1 ? matching.first : nil
  }
}
