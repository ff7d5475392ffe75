import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// A status report in the Prometheus text exposition format (version 0.0.4), for
/// node_exporter's textfile collector (`status --prometheus FILE`) and `serve`.
public enum PrometheusText {
  public static func render(_ report: StatusReport) -> String {
    var out = ""
    func metric(_ name: String, _ help: String, _ samples: [(labels: [(String, String)], value: Double)]) {
      guard !samples.isEmpty else { return }
      out += "# HELP datamancy_\(name) \(help)\n# TYPE datamancy_\(name) gauge\n"
      for sample in samples {
        let labels = sample.labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
        out += "datamancy_\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(number(sample.value))\n"
      }
    }
    func perItem(_ value: (StatusReport.Item) -> Double?) -> [(labels: [(String, String)], value: Double)] {
      report.items.compactMap { item in
        value(item).map { ([("item", item.item), ("source", item.source)], $0) }
      }
    }
    metric(
      "item_last_success_timestamp_seconds", "Time of the item's newest good copy.",
      perItem { $0.lastSuccess?.timeIntervalSince1970 })
    metric(
      "item_last_duration_seconds", "How long the item's newest attempt took.",
      perItem { $0.lastDurationSeconds })
    metric("item_raw_bytes", "Size of the item's newest good copy.", perItem { $0.rawBytes.map(Double.init) })
    metric(
      "item_stored_bytes", "Bytes the item's newest good copy added to the repository.",
      perItem { $0.storedBytes.map(Double.init) })
    metric(
      "item_last_status", "1 when the item's newest attempt succeeded, else 0.",
      perItem { $0.lastAttempt == nil ? nil : ($0.lastError == nil ? 1 : 0) })
    metric(
      "item_ok", "1 when the item's newest good copy is within its RPO and its newest attempt succeeded.",
      perItem { $0.state == .ok ? 1 : 0 })
    metric("item_rpo_seconds", "The item's recovery point objective.", perItem { $0.rpoSeconds })
    if let run = report.lastRun {
      metric(
        "run_last_timestamp_seconds", "Time of the newest backup run.", [([], run.time.timeIntervalSince1970)]
      )
      metric("run_last_duration_seconds", "Duration of the newest backup run.", [([], run.durationSeconds)])
      metric(
        "run_last_items", "Items of the newest backup run, by status.",
        [([("status", "ok")], Double(run.itemsOK)), ([("status", "failed")], Double(run.itemsFailed))])
    }
    for (name, check) in [("verify", report.lastVerify), ("drill", report.lastDrill)] {
      guard let check else { continue }
      metric(
        "\(name)_last_timestamp_seconds", "Time of the newest \(name).",
        [([], check.time.timeIntervalSince1970)])
      metric("\(name)_last_passed", "1 when the newest \(name) passed, else 0.", [([], check.passed ? 1 : 0)])
      if let rto = check.rtoSeconds {
        metric("drill_last_rto_seconds", "Recovery time measured by the newest drill.", [([], rto)])
      }
      if let target = check.rtoTargetSeconds {
        metric("drill_rto_target_seconds", "The drills' recovery time objective.", [([], target)])
      }
    }
    if let prune = report.lastPrune {
      metric(
        "prune_last_timestamp_seconds", "Time of the newest prune.", [([], prune.time.timeIntervalSince1970)])
      metric("prune_last_passed", "1 when the newest prune passed, else 0.", [([], prune.passed ? 1 : 0)])
    }
    let copies = report.lastCopies.map { (labels: [("target", $0.target ?? "")], record: $0) }
    metric(
      "copy_last_timestamp_seconds", "Time of the newest copy to the target repository.",
      copies.map { ($0.labels, $0.record.time.timeIntervalSince1970) })
    metric(
      "copy_last_passed", "1 when the newest copy to the target repository passed, else 0.",
      copies.map { ($0.labels, $0.record.passed ? 1 : 0) })
    func perSource(_ value: (WALStatus) -> Double?) -> [(labels: [(String, String)], value: Double)] {
      report.wal.compactMap { wal in value(wal).map { ([("source", wal.source)], $0) } }
    }
    metric(
      "wal_window_start_timestamp_seconds", "Oldest time the WAL archive can recover to.",
      perSource { $0.windowStart?.timeIntervalSince1970 })
    metric(
      "wal_window_end_timestamp_seconds", "Newest time the WAL archive can recover to without a gap.",
      perSource { $0.windowEnd?.timeIntervalSince1970 })
    metric(
      "wal_archive_lag_seconds", "Seconds since the newest WAL segment was archived.",
      perSource { $0.lagSeconds })
    metric("wal_segments", "WAL segments archived.", perSource { Double($0.segments) })
    metric(
      "wal_failed_pushes", "WAL files whose push failed and that are still not archived.",
      perSource { Double($0.failedPushes) })
    metric("wal_gaps", "Runs of WAL segments missing from the archive.", perSource { Double($0.gaps.count) })
    metric("repository_sets", "Backup sets in the repository.", [([], Double(report.sets))])
    metric("repository_stored_bytes", "Bytes of the repository's packs.", [([], Double(report.storedBytes))])
    metric(
      "repository_raw_bytes", "Bytes the sets hold before deduplication and compression.",
      [([], Double(report.rawBytes))])
    metric(
      "healthy",
      "1 when every item is fresh, the newest verify, drill, prune and copies passed, and the WAL archives have no failed push or gap.",
      [([], report.healthy ? 1 : 0)])
    return out
  }

  static func escape(_ value: String) -> String {
    value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n")
  }

  static func number(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
  }
}
