import Foundation

/// The page around every page's content: the navigation, who is logged in, and
/// the logout form. Styles and scripts come from `/static/` (in the binary).
enum Layout {
  static let sections: [(path: String, title: String)] = [
    ("/", "Overview"), ("/sets", "Sets"), ("/drills", "Drills"), ("/repository", "Repository"),
    ("/runs", "Runs"),
  ]

  static func page(title: String, current: String, visitor: Visitor, body: HTML) -> HTML {
    let links = sections.map { section -> HTML in
      let mark: HTML = section.path == current ? " aria-current=\"page\"" : ""
      return "<a href=\"\(section.path)\"\(mark)>\(section.title)</a>"
    }
    return """
      <!doctype html>
      <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(title) · Datamancy Backup</title><link rel="stylesheet" href="/static/style.css"><link rel="icon" href="/static/icon.svg">
      <script src="/static/app.js" defer></script></head>
      <body><header><span class="brand">Datamancy Backup</span><nav>\(links)</nav>
      <form method="post" action="/logout" class="logout"><span>\(visitor.user) · \(visitor.role.rawValue)</span>
      <input type="hidden" name="csrf" value="\(visitor.csrf)"><button>Log out</button></form></header>
      <main><h1>\(title)</h1>\(body)</main></body></html>
      """
  }

  /// A page without navigation (login, refusals).
  static func bare(title: String, body: HTML) -> HTML {
    """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <title>\(title) · Datamancy Backup</title><link rel="stylesheet" href="/static/style.css"><link rel="icon" href="/static/icon.svg"></head>
    <body class="bare"><main><h1>\(title)</h1>\(body)</main></body></html>
    """
  }

  /// A hidden field with the session's token, for every form.
  static func token(_ visitor: Visitor) -> HTML {
    "<input type=\"hidden\" name=\"csrf\" value=\"\(visitor.csrf)\">"
  }

  /// A table from a header and rows of cells.
  static func table(_ header: [String], _ rows: [[HTML]], classes: String = "") -> HTML {
    let head = header.map { title -> HTML in "<th>\(title)</th>" }
    let body = rows.map { row -> HTML in "<tr>\(row.map { cell -> HTML in "<td>\(cell)</td>" })</tr>" }
    return "<table class=\"\(classes)\"><thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table>"
  }

  static func badge(_ state: String) -> HTML { "<span class=\"badge \(state)\">\(state)</span>" }
}
