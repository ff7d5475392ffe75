import DatamancyRepository
import Foundation

/// `/sets`: the sets, newest first, filtered by item, tag and status, a hundred
/// to a page.
struct SetsPage {
  static let pageSize = 100

  var snapshot: DashboardSnapshot
  var query: Form

  static func render(_ body: HTML, visitor: Visitor) -> HTML {
    Layout.page(title: "Sets", current: "/sets", visitor: visitor, body: body)
  }

  /// The page's content: the same for every visitor (`Dashboard.setsBody` keeps it
  /// per snapshot and query).
  func body() -> HTML {
    let item = query["item"] ?? ""
    let tag = query["tag"] ?? ""
    let status = query["status"] ?? ""
    let matching = snapshot.sets.filter { set in
      (item.isEmpty || set.items.contains { $0.name == item })
        && (tag.isEmpty || set.tags.contains(tag)) && (status.isEmpty || set.status.rawValue == status)
    }
    let last = max((matching.count + Self.pageSize - 1) / Self.pageSize, 1)
    // Any number may arrive here: clamped to the pages there are before arithmetic.
    let page = min(max(Int(query["page"] ?? "") ?? 1, 1), last)
    let shown = matching.dropFirst((page - 1) * Self.pageSize).prefix(Self.pageSize)
    let rows = shown.map { set -> [HTML] in
      [
        "<a href=\"/sets/\(set.id)\">\(set.shortID)</a>", "\(WebFormat.time(set.time))",
        Layout.badge(set.status.rawValue), "\(set.tags.joined(separator: ", "))", "\(set.items.count)",
        "\(WebFormat.bytes(set.rawBytes))", "\(WebFormat.bytes(set.storedBytes))",
        "\(WebFormat.seconds(set.durationSeconds))",
      ]
    }
    let items = snapshot.itemNames
    let tags = snapshot.tags
    func options(_ values: [String], _ chosen: String, all: String) -> HTML {
      let list = values.map { value -> HTML in
        "<option value=\"\(value)\"\(value == chosen ? " selected" : "" as HTML)>\(value)</option>"
      }
      return "<option value=\"\">\(all)</option>\(list)"
    }
    let filter: HTML = """
      <form method="get" action="/sets" class="actions">
      <select name="item" aria-label="item">\(options(items, item, all: "every item"))</select>
      <select name="tag" aria-label="tag">\(options(tags, tag, all: "every tag"))</select>
      <select name="status" aria-label="status">\(options(["complete", "partial", "failed"], status, all: "every status"))</select>
      <button>Filter</button></form>
      """
    var pages: HTML = ""
    if last > 1 {
      let base =
        "/sets?item=\(HTML.urlComponent(item))&tag=\(HTML.urlComponent(tag))&status=\(HTML.urlComponent(status))&page="
      let previous: HTML = page > 1 ? "<a href=\"\(base)\(page - 1)\">previous</a> " : ""
      let next: HTML = page < last ? " <a href=\"\(base)\(page + 1)\">next</a>" : ""
      pages = "<p>\(previous)page \(page) of \(last)\(next)</p>"
    }
    let damaged =
      snapshot.damaged.isEmpty
      ? "" as HTML
      : "<h2>Damaged set files</h2>\(Layout.table(["file", "reason"], snapshot.damaged.map { ["\($0.file)", "\($0.reason)"] }))"
    let table = Layout.table(["set", "time", "status", "tags", "items", "size", "added", "duration"], rows)
    return
      "\(filter)<p class=\"note\">\(matching.count) of \(snapshot.sets.count) sets</p>\(table)\(pages)\(damaged)"
  }
}
