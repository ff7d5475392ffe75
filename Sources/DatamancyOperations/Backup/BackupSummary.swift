import DatamancyRepository

/// The end-of-run summary: one line per item, then totals.
public enum BackupSummary {
  public static func text(_ set: BackupSet) -> String {
    var rows: [[String]] = [["", "item", "raw", "stored", "time"]]
    for item in set.items {
      rows.append([
        item.status == .ok ? (item.warning == nil ? "ok" : "ok!") : "FAILED", item.name,
        Formatting.bytes(item.rawBytes), Formatting.bytes(item.storedBytes),
        Formatting.seconds(item.durationSeconds),
      ])
    }
    var lines = [Formatting.table(rows)]
    for item in set.items {
      if let files = item.files { lines.append("  \(item.name): \(Self.files(files))") }
      if let error = item.error { lines.append("  \(item.name): \(error)") }
      if let warning = item.warning { lines.append("  \(item.name): warning: \(warning)") }
    }
    let failed = set.items.filter { $0.status == .failed }.count
    lines.append(
      "set \(set.shortID) \(set.status.rawValue): \(set.items.count - failed) of \(set.items.count) items, "
        + "\(Formatting.bytes(set.rawBytes)) read, \(Formatting.bytes(set.storedBytes)) added, "
        + Formatting.seconds(set.durationSeconds))
    return lines.joined(separator: "\n")
  }

  /// What a folder's backup did with its files.
  public static func files(_ counts: FileCounts) -> String {
    "\(Formatting.count(counts.new, "file")) new, \(counts.changed) changed, \(counts.unchanged) unchanged "
      + "(\(Formatting.bytes(counts.bytesRead)) read, \(Formatting.bytes(counts.bytesSkipped)) not read again)"
  }

  /// For notifications, read on a phone: short lines, no table; each failure and
  /// warning on a line of its own.
  public static func brief(_ set: BackupSet) -> String {
    let good = set.items.filter { $0.status == .ok }.count
    var lines = [
      "set \(set.shortID) \(set.status.rawValue): \(good) of \(Formatting.count(set.items.count, "item")) good",
      "\(Formatting.bytes(set.rawBytes)) read, \(Formatting.bytes(set.storedBytes)) added, "
        + "in \(Formatting.seconds(set.durationSeconds))",
    ]
    for item in set.items {
      if let error = item.error { lines.append("✗ \(item.name): \(Formatting.short(error))") }
      if let warning = item.warning { lines.append("! \(item.name): \(Formatting.short(warning))") }
    }
    return lines.joined(separator: "\n")
  }
}
