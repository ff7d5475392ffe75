import DatamancyOperations
import DatamancyRepository
import Foundation

/// `/sets/ID`: a set's items with durations, sizes, fingerprints, and what can be
/// done with each (browse, download, restore); the reports about the set.
struct SetPage {
  var set: BackupSet
  var snapshot: DashboardSnapshot
  var visitor: Visitor

  func render() -> HTML {
    let rows = set.items.map { item -> [HTML] in
      var links: [HTML] = []
      let query = "set=\(HTML.urlComponent(set.id))&item=\(HTML.urlComponent(item.name))"
      if item.format == .tree && item.status == .ok {
        links.append("<a href=\"/browse?\(query)\">browse</a>")
      }
      if visitor.role >= .operator && item.status == .ok {
        links.append("<a href=\"/restore?\(query)\">restore</a>")
      }
      let error: HTML = item.error.map { "<div class=\"error\">\(Formatting.short($0))</div>" } ?? ""
      let warning: HTML = item.warning.map { "<div class=\"note\">\(Formatting.short($0))</div>" } ?? ""
      return [
        "\(item.name)\(error)\(warning)", "\(item.format.rawValue)", Layout.badge(item.status.rawValue),
        "\(WebFormat.seconds(item.durationSeconds))", "\(WebFormat.bytes(item.rawBytes))",
        "\(WebFormat.bytes(item.storedBytes))", fingerprints(item), HTML.join(links, separator: " · "),
      ]
    }
    let summary: HTML = """
      <p>\(Layout.badge(set.status.rawValue)) \(WebFormat.time(set.time)) on \(set.host) · \(WebFormat.seconds(set.durationSeconds)) · tags: \(set.tags.isEmpty ? "none" : set.tags.joined(separator: ", ")) · id <code>\(set.id)</code></p>
      """
    return Layout.page(
      title: "Set \(set.shortID)", current: "/sets", visitor: visitor,
      body:
        "\(summary)\(Layout.table(["item", "format", "status", "duration", "size", "added", "fingerprints", ""], rows))\(reports())"
    )
  }

  func fingerprints(_ item: BackupItem) -> HTML {
    if let files = item.files {
      return "\(files.new + files.changed + files.unchanged) files, \(files.directories) folders"
    }
    guard let prints = item.fingerprints, !prints.isEmpty else { return "—" }
    let rows = prints.map { print -> [HTML] in
      ["\(print.table)", "\(print.rows)", "<code>\(String(print.checksum.prefix(16)))</code>"]
    }
    return
      "<details><summary>\(prints.count) tables</summary>\(Layout.table(["table", "rows", "checksum"], rows))</details>"
  }

  func reports() -> HTML {
    let verifies = snapshot.verifies.filter { $0.set == set.id }.map { entry -> [HTML] in
      let failures = entry.report.failures.map { "\($0.item): \($0.check): \($0.detail)" }.joined(
        separator: "; ")
      return [
        "verify", "\(WebFormat.time(entry.report.time))",
        Layout.badge(entry.report.passed ? "passed" : "failed"), "\(failures)",
      ]
    }
    let drills = snapshot.drills.filter { $0.set == set.id }.map { report -> [HTML] in
      [
        "drill", "\(WebFormat.time(report.time))", Layout.badge(report.passed ? "passed" : "failed"),
        "RTO \(WebFormat.seconds(report.totalSeconds)) of \(WebFormat.seconds(report.rtoTargetSeconds))",
      ]
    }
    guard !(verifies + drills).isEmpty else {
      return "<p class=\"note\">No verify or drill report about this set.</p>"
    }
    return "<h2>Reports</h2>\(Layout.table(["kind", "time", "result", "detail"], verifies + drills))"
  }
}
