import DatamancyOperations
import DatamancyRepository
import Foundation

/// `/repository`: stored against backed-up bytes over time, bytes added per run,
/// the dedup ratio over time, and when the quota is reached at the current growth.
struct RepositoryPage {
  var snapshot: DashboardSnapshot
  var visitor: Visitor
  var quota: Int64?

  func render() -> HTML {
    let sets = snapshot.sets.reversed().filter { !$0.isSafetyCopy }
    var added = 0.0
    var raw = 0.0
    var stored: [(Date, Double)] = []
    var backedUp: [(Date, Double)] = []
    var dedup: [(Date, Double)] = []
    var perRun: [(Date, Double)] = []
    for set in sets {
      added += Double(set.storedBytes)
      raw += Double(set.rawBytes)
      stored.append((set.time, added))
      backedUp.append((set.time, raw))
      dedup.append((set.time, added > 0 ? raw / added : 1))
      perRun.append((set.time, Double(set.storedBytes)))
    }
    let bytes: (Double) -> String = { WebFormat.bytes($0) }
    let growth = LineChart(
      series: [
        .init(name: "backed up (sum of sets)", points: backedUp),
        .init(name: "stored (added by runs)", points: stored),
      ],
      format: bytes
    ).render()
    let runs = LineChart(series: [.init(name: "added per run", points: perRun)], format: bytes).render()
    let ratio = LineChart(
      series: [.init(name: "dedup and compression ratio", points: dedup)],
      format: { String(format: "%.1fx", $0) }
    )
    .render()
    return Layout.page(
      title: "Repository", current: "/repository", visitor: visitor,
      body: """
        <div class="cards"><div class="card">Stored<b>\(WebFormat.bytes(snapshot.storedBytes))</b>in packs</div>
        <div class="card">Backed up<b>\(WebFormat.bytes(snapshot.totalRawBytes))</b>in \(snapshot.sets.count) sets</div>
        <div class="card">Dedup<b>\(WebFormat.ratio(snapshot.dedupRatio))</b>compression \(WebFormat.ratio(snapshot.compressionRatio))</div>
        <div class="card">Quota<b>\(quotaText(sets: Array(sets)))</b>\(quota.map { "of " + WebFormat.bytes(Int(clamping: $0)) } ?? "serve.quota not set")</div></div>
        \(pruneForm())
        <h2>Stored and backed-up bytes over time</h2>\(growth)
        <h2>Bytes added per run</h2>\(runs)
        <h2>Ratio of backed-up to stored bytes over time</h2>\(ratio)
        <p class="note">Stored bytes over time add what each kept set's run added; sets forgotten since are not counted.</p>
        """)
  }

  /// Admins: prune (the data of forgotten sets), like `datamancy-backup prune`.
  func pruneForm() -> HTML {
    guard visitor.role >= .admin else { return "" }
    return """
      <form method="post" action="/actions/prune" class="actions" data-confirm="Delete the data no set uses?">\(Layout.token(visitor))<button>Prune now</button> <span class="note">deletes the data no set uses (exclusive lock: waits for no backup, fails while one runs)</span></form>
      """
  }

  /// Days until `quota` at the growth of the last 30 days.
  func quotaText(sets: [BackupSet]) -> String {
    guard let quota else { return "—" }
    let remaining = Double(quota) - Double(snapshot.storedBytes)
    if remaining <= 0 { return "reached" }
    guard let newest = sets.last?.time else { return "no growth yet" }
    let since = newest.addingTimeInterval(-30 * 86400)
    let recent = sets.filter { $0.time > since }
    let days = max(newest.timeIntervalSince(recent.first?.time ?? newest) / 86400, 1)
    let rate = recent.reduce(0.0) { $0 + Double($1.storedBytes) } / days
    guard rate > 0 else { return "no growth" }
    let left = remaining / rate
    return left > 36500 ? "over 100 years" : "\(Int(left)) days"
  }
}
