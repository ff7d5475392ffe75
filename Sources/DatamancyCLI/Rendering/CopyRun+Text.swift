import DatamancyOperations
import Foundation

extension CopyRun.Outcome {
  /// One line per set, then the total.
  var text: String {
    var lines: [String] = []
    for (index, plan) in plans.enumerated() {
      let names = plan.missing.map(\.name).joined(separator: ", ")
      if dryRun {
        lines.append("would copy set \(plan.set.shortID) (\(plan.set.time.formatted(.iso8601))): \(names)")
      } else {
        let done = copied[index]
        lines.append(
          "copied set \(plan.set.shortID) as \(done.targetSet.prefix(8)): \(done.items.count) items, "
            + "\(Formatting.bytes(done.rawBytes)) read, \(Formatting.bytes(done.storedBytes)) added")
      }
    }
    let verb = dryRun ? "would be copied" : "copied"
    lines.append(
      "\(plans.count) of \(asked) sets \(verb) to \(label); \(asked - plans.count) already there"
        + (dryRun ? "" : ", \(Formatting.bytes(copied.reduce(0) { $0 + $1.storedBytes })) added"))
    return lines.joined(separator: "\n")
  }
}
