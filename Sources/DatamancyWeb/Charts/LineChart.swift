import Foundation

/// Up to three series over time on one value axis, as an SVG polyline chart,
/// with an optional horizontal target line.
struct LineChart {
  struct Series {
    var name: String
    var points: [(time: Date, value: Double)]
  }

  var series: [Series]
  var format: (Double) -> String
  var target: Double?
  var width = 760
  var height = 220

  func render() -> HTML {
    let all = series.flatMap(\.points)
    guard let first = all.map(\.time).min(), let last = all.map(\.time).max() else {
      return "<p class=\"note\">Nothing to chart yet.</p>"
    }
    let top = max(all.map(\.value).max() ?? 0, target ?? 0, 1e-9) * 1.1
    let (left, bottom, right, upper) = (70.0, 24.0, 10.0, 10.0)
    let span = max(last.timeIntervalSince(first), 1)
    let plotWidth = Double(width) - left - right
    let plotHeight = Double(height) - bottom - upper
    func x(_ time: Date) -> Double { left + time.timeIntervalSince(first) / span * plotWidth }
    func y(_ value: Double) -> Double { upper + plotHeight - value / top * plotHeight }
    var parts: [HTML] = []
    for step in 0...4 {
      let value = top * Double(step) / 4
      let height = Self.number(y(value))
      parts.append(
        "<line class=\"grid\" x1=\"\(Self.number(left))\" x2=\"\(Self.number(left + plotWidth))\" y1=\"\(height)\" y2=\"\(height)\"/><text x=\"0\" y=\"\(height)\">\(format(value))</text>"
      )
    }
    // Points all on one day would get the same label twice: times say more.
    let oneDay = WebFormat.day(first) == WebFormat.day(last)
    for time in [first, last] {
      let label = oneDay ? WebFormat.clock(time) : WebFormat.day(time)
      let anchor = time == first ? "start" : "end"
      parts.append(
        "<text x=\"\(Self.number(x(time)))\" y=\"\(height - 6)\" text-anchor=\"\(anchor)\">\(label)</text>")
    }
    if let target {
      let height = Self.number(y(target))
      parts.append(
        "<line class=\"target\" x1=\"\(Self.number(left))\" x2=\"\(Self.number(left + plotWidth))\" y1=\"\(height)\" y2=\"\(height)\"><title>target \(format(target))</title></line>"
      )
    }
    for (index, series) in series.enumerated() {
      let points = series.points.sorted { $0.time < $1.time }
        .map { "\(Self.number(x($0.time))),\(Self.number(y($0.value)))" }.joined(separator: " ")
      let name = ["a", "b", "c"][index % 3]
      parts.append(
        "<polyline class=\"series-\(name)\" points=\"\(points)\"><title>\(series.name)</title></polyline>")
      if series.points.count == 1 {
        parts.append(
          "<circle class=\"series-\(name)\" cx=\"\(Self.number(x(series.points[0].time)))\" cy=\"\(Self.number(y(series.points[0].value)))\" r=\"3\"/>"
        )
      }
    }
    let legend = series.enumerated().map { index, series -> HTML in
      "<span class=\"\(["a", "b", "c"][index % 3])\">■ \(series.name)</span>"
    }
    return
      "<svg role=\"img\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">\(parts)</svg><div class=\"legend\">\(legend)</div>"
  }

  static func number(_ value: Double) -> String { String(format: "%.1f", value) }
}
