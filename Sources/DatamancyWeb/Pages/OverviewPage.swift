import DatamancyConfig
import DatamancyOperations
import DatamancyRepository
import Foundation

/// `/`: every item against its RPO, the last 30 days as a heatmap, the next
/// scheduled runs, the repository's size and ratios, and the run-now actions.
struct OverviewPage {
  /// What every visitor sees alike, built once per snapshot (`Dashboard.overview`):
  /// a thousand sets of fifty items make the heatmap the costly part.
  struct Shared: Sendable {
    var snapshotTime: Date
    var cards: HTML
    var report: HTML
  }

  var snapshot: DashboardSnapshot
  var settings: Dashboard.Settings
  /// The snapshot's own time: ages are as of the read.
  var now: Date

  func shared() -> Shared {
    Shared(
      snapshotTime: snapshot.time, cards: cards(),
      report:
        "<h2>Items</h2>\(items())<h2>Last 30 days</h2>\(heatmap())<h2>Next scheduled runs</h2>\(schedule())")
  }

  /// The page for one visitor: the shared parts, the actions with the visitor's
  /// token, and why the snapshot is old if it is.
  static func render(
    _ shared: Shared, visitor: Visitor, settings: Dashboard.Settings, running: Set<String>, problem: String?
  ) -> HTML {
    let warning: HTML = problem.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? ""
    let actions = actions(visitor: visitor, settings: settings, running: running)
    return Layout.page(
      title: "Overview", current: "/", visitor: visitor,
      body: "\(warning)\(shared.cards)\(actions)\(shared.report)")
  }

  func cards() -> HTML {
    let status = snapshot.status
    let failing = status.items.filter { $0.state != .ok }.count
    var cards: [HTML] = [
      "<div class=\"card\">Items<b>\(status.items.count)</b>\(failing == 0 ? "all ok" : "\(failing) not ok")</div>",
      "<div class=\"card\">Sets<b>\(snapshot.sets.count)</b>\(snapshot.damaged.count) damaged</div>",
      "<div class=\"card\">Stored<b>\(WebFormat.bytes(snapshot.storedBytes))</b>of \(WebFormat.bytes(snapshot.totalRawBytes)) backed up</div>",
      "<div class=\"card\">Dedup<b>\(WebFormat.ratio(snapshot.dedupRatio))</b>compression \(WebFormat.ratio(snapshot.compressionRatio))</div>",
    ]
    if let verify = status.lastVerify {
      cards.append(
        "<div class=\"card\">Last verify<b>\(Layout.badge(verify.passed ? "passed" : "failed"))</b>\(WebFormat.time(verify.time))</div>"
      )
    }
    if let drill = status.lastDrill {
      let rto = drill.rtoSeconds.map { "RTO " + WebFormat.seconds($0) } ?? ""
      cards.append(
        "<div class=\"card\">Last drill<b>\(Layout.badge(drill.passed ? "passed" : "failed"))</b>\(WebFormat.time(drill.time)) · \(rto)</div>"
      )
    }
    cards += activityCards(status) + walCards(status)
    return "<div class=\"cards\">\(cards)</div>"
  }

  /// The newest prune and the newest copy to each other repository.
  func activityCards(_ status: StatusReport) -> [HTML] {
    let records =
      (status.lastPrune.map { [("Last prune", $0)] } ?? [])
      + status.lastCopies.map { ("Last copy to \($0.target ?? "?")", $0) }
    return records.map { title, record in
      let detail = record.passed ? record.summary : Formatting.short(record.error ?? "failed")
      return
        "<div class=\"card\">\(title)<b>\(Layout.badge(record.passed ? "passed" : "failed"))</b>\(WebFormat.time(record.time)) · \(detail)</div>"
    }
  }

  /// Each `postgres_pitr` source's WAL archive: recoverable up to when, or why not.
  func walCards(_ status: StatusReport) -> [HTML] {
    status.wal.map { wal in
      var problems: [String] = []
      if wal.failedPushes > 0 {
        problems.append(Formatting.count(wal.failedPushes, "failed push", "failed pushes"))
      }
      if !wal.gaps.isEmpty { problems.append(Formatting.count(wal.gaps.count, "gap")) }
      if wal.windowEnd == nil { problems.append("not recoverable") }
      let detail =
        problems.isEmpty
        ? "recoverable to \(wal.windowEnd.map(WebFormat.time) ?? "-")" : problems.joined(separator: ", ")
      return
        "<div class=\"card\">WAL \(wal.source)<b>\(Layout.badge(wal.healthy ? "ok" : "failed"))</b>\(detail)</div>"
    }
  }

  static func actions(visitor: Visitor, settings: Dashboard.Settings, running: Set<String>) -> HTML {
    guard visitor.role >= .operator else { return "" }
    let options = settings.sources.map { source -> HTML in
      "<option value=\"\(source)\">\(source)</option>"
    }
    func state(_ kind: String) -> HTML { running.contains(kind) ? " \(Layout.badge("running"))" : "" }
    return """
      <div class="actions">
      <form method="post" action="/actions/backup" class="inline">\(Layout.token(visitor))<select name="source" aria-label="source"><option value="">every source</option>\(options)</select> <button>Back up now</button>\(state("backup"))</form>
      <form method="post" action="/actions/verify" class="inline">\(Layout.token(visitor))<button>Verify now</button>\(state("verify"))</form>
      <form method="post" action="/actions/drill" class="inline">\(Layout.token(visitor))<button>Drill now</button>\(state("drill"))</form>
      </div>
      """
  }

  func items() -> HTML {
    let verified = newestVerifyByItem()
    let drilled = newestDrillByItem()
    let rows = snapshot.status.items.map { item -> [HTML] in
      let age = item.ageSeconds.map { WebFormat.age($0) } ?? "never"
      let verify =
        verified[item.item].map {
          "\(Layout.badge($0.passed ? "passed" : "failed")) \(WebFormat.day($0.time))" as HTML
        } ?? "—"
      let drill =
        drilled[item.item].map {
          "\(Layout.badge($0.passed ? "passed" : "failed")) \(WebFormat.day($0.time))" as HTML
        } ?? "—"
      let error: HTML = item.lastError.map { "<div class=\"error\">\(Formatting.short($0))</div>" } ?? ""
      return [
        "\(item.item)\(error)", "\(item.source)", Layout.badge(item.state.rawValue),
        "\(age) / \(WebFormat.age(item.rpoSeconds))",
        "\(item.rawBytes.map(WebFormat.bytes) ?? "—")", verify, drill,
      ]
    }
    return Layout.table(["item", "source", "status", "age / RPO", "size", "last verify", "last drill"], rows)
  }

  func newestVerifyByItem() -> [String: (time: Date, passed: Bool)] {
    var newest: [String: (time: Date, passed: Bool)] = [:]
    for (_, report) in snapshot.verifies {
      var passed: [String: Bool] = [:]
      for finding in report.findings {
        passed[finding.item] = (passed[finding.item] ?? true) && finding.passed
      }
      for (item, ok) in passed { newest[item] = (report.time, ok) }
    }
    return newest
  }

  func newestDrillByItem() -> [String: (time: Date, passed: Bool)] {
    var newest: [String: (time: Date, passed: Bool)] = [:]
    for report in snapshot.drills {
      for item in report.items { newest[item.item] = (report.time, item.passed) }
    }
    return newest
  }

  /// One row per item: at the end of each day, was its newest good copy within
  /// the RPO (ok), older (late), or did that day's attempt fail; and a row of
  /// drill results.
  func heatmap() -> HTML {
    let calendar = Calendar(identifier: .gregorian)
    var utc = calendar
    utc.timeZone = TimeZone(identifier: "UTC")!
    let today = utc.startOfDay(for: now)
    let days = (0..<30).reversed().map { today.addingTimeInterval(Double(-$0) * 86400) }
    var good: [String: [Date]] = [:]
    var failed: [String: Set<Date>] = [:]
    for set in snapshot.sets.reversed() where !set.isSafetyCopy {
      for item in set.items {
        if item.status == .ok {
          good[item.name, default: []].append(set.time)
        } else {
          failed[item.name, default: []].insert(utc.startOfDay(for: set.time))
        }
      }
    }
    var rows = snapshot.status.items.map { item -> Heatmap.Row in
      let times = good[item.item] ?? []
      let cells = days.map { day -> (state: String, title: String) in
        let end = min(day.addingTimeInterval(86400), now)
        let newest = Self.newest(in: times, atOrBefore: end)
        let label = WebFormat.day(day)
        if failed[item.item]?.contains(day) == true { return ("failed", "\(label): a backup failed") }
        guard let newest else { return ("none", "\(label): no copy yet") }
        let age = end.timeIntervalSince(newest)
        return VerifyPolicy.isLate(age: age, limit: item.rpoSeconds)
          ? ("late", "\(label): newest copy \(WebFormat.age(age)) old, RPO \(WebFormat.age(item.rpoSeconds))")
          : ("ok", "\(label): newest copy \(WebFormat.age(age)) old")
      }
      return Heatmap.Row(label: item.item, cells: cells)
    }
    var drills: [Date: Bool] = [:]
    for report in snapshot.drills {
      let day = utc.startOfDay(for: report.time)
      drills[day] = (drills[day] ?? true) && report.passed
    }
    rows.append(
      Heatmap.Row(
        label: "drills",
        cells: days.map { day in
          guard let passed = drills[day] else { return ("none", "\(WebFormat.day(day)): no drill") }
          return passed
            ? ("ok", "\(WebFormat.day(day)): drill passed")
            : ("failed", "\(WebFormat.day(day)): drill failed")
        }))
    return Heatmap(rows: rows, days: days).render()
  }

  /// The newest of sorted `times` not after `end` (binary search).
  static func newest(in times: [Date], atOrBefore end: Date) -> Date? {
    var low = 0
    var high = times.count
    while low < high {
      let middle = (low + high) / 2
      if times[middle] <= end { low = middle + 1 } else { high = middle }
    }
    return low > 0 ? times[low - 1] : nil
  }

  /// The runs this server will start; none is promised when it runs no schedule
  /// (systemd timers or cron may, which this server cannot see).
  func schedule() -> HTML {
    guard let schedule = settings.schedule else {
      return
        "<p class=\"note\">This server runs no schedule ('serve --schedule' would); 'datamancy-backup schedule show' lists the timers installed on the host.</p>"
    }
    let jobs = ScheduledJob.all(schedule).map { job -> [HTML] in
      let next = (try? CalendarSpec(job.calendar))?.next(after: now)
      return ["\(job.kind)", "\(job.calendar)", "\(next.map(WebFormat.time) ?? "never")"]
    }
    return Layout.table(["job", "calendar", "next run"], jobs)
  }
}
