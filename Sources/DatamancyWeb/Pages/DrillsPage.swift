import DatamancyOperations
import Foundation

/// `/drills`: recovery time per drill against the target, as a chart; for each
/// drilled item, its tables × the last drills, rows and checksum equal or not;
/// the newest drill's phases per item.
struct DrillsPage {
  /// Drill dates shown per item.
  static let columns = 12

  var snapshot: DashboardSnapshot
  var visitor: Visitor

  func render() -> HTML {
    let drills = snapshot.drills
    guard let newest = drills.last else {
      return Layout.page(
        title: "Drills", current: "/drills", visitor: visitor,
        body: """
          <p>No drill yet. An operator can start one from the overview, or run <code>datamancy-backup drill</code>.</p>
          \(recoveries)
          """)
    }
    // The total and its two largest phases over time, summed over the drill's items.
    func phase(_ name: String) -> LineChart.Series {
      LineChart.Series(
        name: "\(name) phase",
        points: drills.map { report in
          (
            report.time,
            report.items.flatMap(\.phases).filter { $0.name == name }.reduce(0) { $0 + $1.seconds }
          )
        })
    }
    let chart = LineChart(
      series: [
        LineChart.Series(name: "recovery time", points: drills.map { ($0.time, $0.totalSeconds) }),
        phase("restore"), phase("verify"),
      ],
      format: { WebFormat.seconds($0) }, target: newest.rtoTargetSeconds
    ).render()
    var sections: [HTML] = []
    let names = Set(drills.flatMap { $0.items.map(\.item) }).sorted()
    for name in names {
      let runs = drills.compactMap { report in
        report.items.first { $0.item == name }.map { (report.time, $0) }
      }
      .suffix(Self.columns)
      let tables = Set(runs.flatMap { $0.1.checks.map(\.table) }).sorted()
      let rows = tables.map { table -> [HTML] in
        ["\(table)"]
          + runs.map { _, item -> HTML in
            guard let check = item.checks.first(where: { $0.table == table }) else { return "—" }
            let rows = check.foundRows.map(String.init) ?? "?"
            return
              "\(Layout.badge(check.passed ? "equal" : "different")) \(rows)<div class=\"note\">\(check.passed ? "" : check.detail)</div>"
          }
      }
      let header = ["table"] + runs.map { WebFormat.day($0.0) }
      let errors = runs.compactMap { time, item in item.error.map { "\(WebFormat.day(time)): \($0)" } }
      let errorText: HTML = errors.isEmpty ? "" : "<p class=\"error\">\(errors.joined(separator: "; "))</p>"
      sections.append("<h2>\(name)</h2>\(errorText)\(Layout.table(header, rows))")
    }
    let phases = newest.items.map { item -> [HTML] in
      ["\(item.item)", "\(item.target)", Layout.badge(item.passed ? "passed" : "failed")]
        + [
          "\(item.phases.map { "\($0.name) \(WebFormat.seconds($0.seconds))" }.joined(separator: " · "))",
          "\(WebFormat.seconds(item.seconds))",
        ]
    }
    return Layout.page(
      title: "Drills", current: "/drills", visitor: visitor,
      body: """
        <h2>Recovery time per drill, and its restore and verify phases (target \(WebFormat.seconds(newest.rtoTargetSeconds)))</h2>\(chart)
        <h2>Newest drill: \(WebFormat.time(newest.time)) \(Layout.badge(newest.passed ? "passed" : "failed"))</h2>
        \(Layout.table(["item", "restored into", "result", "phases", "total"], phases))
        \(recoveries)
        \(sections)
        """)
  }

  /// The whole-stack recoveries (`recover`, `drill --cluster`), newest first:
  /// the stack's measured RTO and each stage's, against the target.
  var recoveries: HTML {
    let reports = snapshot.recoveries.suffix(Self.columns).reversed()
    guard !reports.isEmpty else { return "" }
    let rows = reports.map { report -> [HTML] in
      let good = report.items.filter(\.outcome.isGood).count
      let verdict = report.kind == "drill-cluster" ? report.drillPassed : report.passed
      return [
        "\(WebFormat.time(report.time))", report.kind == "drill-cluster" ? "drill --cluster" : "recover",
        Layout.badge(verdict ? "passed" : "failed"), "\(good) of \(report.items.count)",
        "\(WebFormat.seconds(report.totalSeconds))",
        "\(report.stages.map { "\($0.stage) \(WebFormat.seconds($0.seconds))" }.joined(separator: " · "))",
      ]
    }
    let target = WebFormat.seconds(reports.first?.rtoTargetSeconds ?? 0)
    return """
      <h2>Whole-stack recoveries (target \(target))</h2>
      \(Layout.table(["time", "run", "result", "items restored and proven", "RTO", "stages"], Array(rows)))
      """
  }
}
