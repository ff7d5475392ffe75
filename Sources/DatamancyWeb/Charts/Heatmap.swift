import Foundation

/// Rows × days, each cell a class (`ok`, `late`, `failed`, `none`) and a tooltip,
/// as an SVG drawn on the server.
struct Heatmap {
  struct Row {
    var label: String
    /// One per day, oldest first.
    var cells: [(state: String, title: String)]
  }

  var rows: [Row]
  var days: [Date]

  func render() -> HTML {
    let cell = 14
    let left = 190
    let width = left + days.count * (cell + 2) + 40
    let height = 24 + rows.count * (cell + 2)
    var parts: [HTML] = []
    for (index, day) in days.enumerated() where index % 5 == 0 || index == days.count - 1 {
      let label = String(WebFormat.day(day).dropFirst(5))
      parts.append("<text x=\"\(left + index * (cell + 2))\" y=\"12\">\(label)</text>")
    }
    for (number, row) in rows.enumerated() {
      let y = 20 + number * (cell + 2)
      parts.append("<text x=\"0\" y=\"\(y + 11)\">\(String(row.label.prefix(30)))</text>")
      for (index, entry) in row.cells.enumerated() {
        parts.append(
          "<rect class=\"cell-\(entry.state)\" x=\"\(left + index * (cell + 2))\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" rx=\"2\"><title>\(entry.title)</title></rect>"
        )
      }
    }
    return
      "<svg role=\"img\" aria-label=\"backups and drills per day\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">\(parts)</svg>"
  }
}
