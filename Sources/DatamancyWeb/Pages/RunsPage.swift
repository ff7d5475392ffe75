import DatamancyOperations
import Foundation

/// `/runs`: the jobs this server started (scheduled or from the dashboard) with
/// their logs, and the backup runs the repository records.
struct RunsPage {
  var runs: [RunLog]
  var snapshot: DashboardSnapshot
  var visitor: Visitor

  func render() -> HTML {
    let started = runs.map { run -> [HTML] in
      let state = run.ending.map { $0.succeeded ? "succeeded" : "failed" } ?? "running"
      return [
        "<a href=\"/runs/\(run.id)\">#\(run.id)</a>", "\(run.kind)", Layout.badge(state),
        "\(WebFormat.time(run.started))", "\(run.startedBy)",
        "<code>\(run.arguments.joined(separator: " "))</code>",
      ]
    }
    let recorded = snapshot.sets.filter { !$0.isSafetyCopy }.prefix(30).map { set -> [HTML] in
      let failed = set.items.filter { $0.status != .ok }.map(\.name)
      return [
        "<a href=\"/sets/\(set.id)\">\(set.shortID)</a>", "\(WebFormat.time(set.time))",
        Layout.badge(set.status.rawValue),
        "\(WebFormat.seconds(set.durationSeconds))",
        "\(failed.isEmpty ? "" : "failed: " + failed.joined(separator: ", "))",
      ]
    }
    let jobs: HTML =
      started.isEmpty
      ? "<p class=\"note\">No job started by this server since it started.</p>"
      : Layout.table(["run", "kind", "state", "started", "by", "command"], started)
    return Layout.page(
      title: "Runs", current: "/runs", visitor: visitor,
      body:
        "<h2>Started by this server</h2>\(jobs)<h2>Backup runs in the repository</h2>\(Layout.table(["set", "time", "status", "duration", "items"], recorded))"
    )
  }
}

/// `/runs/ID`: one job's log; while it runs, lines arrive as server-sent events.
struct RunPage {
  var run: RunLog
  var visitor: Visitor

  func render() -> HTML {
    let (lines, next, ended) = run.lines()
    let state = run.ending.map { "\($0.succeeded ? "succeeded" : "failed"): \($0.outcome)" } ?? "running"
    let events: HTML = ended ? "" : " data-events=\"/runs/\(run.id)/events?from=\(next)\""
    return Layout.page(
      title: "Run #\(run.id): \(run.kind)", current: "/runs", visitor: visitor,
      body: """
        <p>Started \(WebFormat.time(run.started)) by \(run.startedBy) · <code>\(run.arguments.joined(separator: " "))</code> · <span data-run-state>\(state)</span></p>
        <pre class="log"\(events)>\(lines.joined(separator: "\n"))\(lines.isEmpty ? "" : "\n")</pre>
        """)
  }
}
