import DatamancyOperations
import DatamancyRepository

/// `forget`'s listing of what the retention policy keeps and removes.
enum RetentionText {
  /// Oldest first, as `snapshots` lists them; each set's reasons grouped by rule
  /// (`daily: pg/shop, files/www`) and wrapped under their column.
  static func text(_ decisions: [RetentionDecision], dryRun: Bool) -> String {
    var rows = [["", "set", "time", "kept by"]]
    var continuations: [Int: [String]] = [:]
    for decision in decisions {
      let lines = wrapped(grouped(decision.reasons), width: 60)
      continuations[rows.count] = Array(lines.dropFirst())
      rows.append([
        decision.keep ? "keep" : (dryRun ? "would remove" : "removed"), String(decision.set.prefix(8)),
        Formatting.time(decision.time), lines.first ?? "",
      ])
    }
    let table = Formatting.table(rows).split(separator: "\n", omittingEmptySubsequences: false).map(
      String.init)
    // Continuation lines start where the header's "kept by" does.
    let column = table[0].range(of: "kept by").map {
      table[0].distance(from: table[0].startIndex, to: $0.lowerBound)
    }
    let indent = String(repeating: " ", count: column ?? 0)
    var lines: [String] = []
    for (i, line) in table.enumerated() {
      lines.append(line)
      lines += (continuations[i] ?? []).map { indent + $0 }
    }
    let removed = decisions.filter { !$0.keep }.count
    return lines.joined(separator: "\n") + "\n"
      + "\(decisions.count - removed) sets kept, \(removed) \(dryRun ? "would be removed" : "removed")"
  }

  /// `item: rule` reasons as `rule: item, item; rule: item`, rules in first-seen order.
  static func grouped(_ reasons: [String]) -> [String] {
    var order: [String] = []
    var items: [String: [String]] = [:]
    for reason in reasons {
      let parts = reason.components(separatedBy: ": ")
      let (item, rule) =
        parts.count >= 2 ? (parts[0], parts.dropFirst().joined(separator: ": ")) : ("", reason)
      if items[rule] == nil { order.append(rule) }
      if !item.isEmpty { items[rule, default: []].append(item) }
    }
    return order.map { rule in items[rule].map { "\(rule): \($0.joined(separator: ", "))" } ?? rule }
  }

  /// Groups joined with "; " into lines of at most `width` characters (a longer
  /// group stands alone).
  static func wrapped(_ groups: [String], width: Int) -> [String] {
    var lines: [String] = []
    for group in groups {
      if let last = lines.last, last.count + 2 + group.count <= width {
        lines[lines.count - 1] = last + "; " + group
      } else {
        lines.append(group)
      }
    }
    return lines
  }
}
