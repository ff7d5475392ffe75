import DatamancyRepository
import DatamancyStorage
import Foundation
import XCTest

/// `status` with a late item and a failed drill says so and exits 7; its metrics
/// parse with prometheus_client's parser and hold the expected values.
final class StatusTests: XCTestCase {
  static let python = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(".build/python/bin/python").path

  func testLateItemAndFailedDrillMakeStatusUnhealthy() throws {
    let cli = try CLI()
    try cli.configure(
      sources: """
          app: { type: command, command: [sh, -c, "seq 1 50000"], rpo: 1h }
          fresh: { type: command, command: [echo, fresh] }
        """)
    try cli.initialize()
    let threeHoursAgo = Date().addingTimeInterval(-3 * 3600).formatted(.iso8601)
    XCTAssertEqual(cli.run(["backup", "--source", "app", "--time", threeHoursAgo]).status, 0)
    XCTAssertEqual(cli.run(["backup", "--source", "fresh"]).status, 0)
    // A drill that fails: the set claims one byte more than its item holds.
    let repository = try Repository.open(storage: LocalStorage(root: cli.repository), password: cli.password)
    var doctored = try repository.sets()[0]
    doctored.items[0].rawBytes += 1
    doctored.time -= 60
    let saved = try repository.save(doctored)
    XCTAssertEqual(cli.run(["drill", saved.id, "--all"]).status, 6)

    let status = cli.run(["status", "--prometheus", "metrics.prom"])
    XCTAssertEqual(status.status, 7, status.text + status.stderr)
    XCTAssertTrue(status.text.contains("late   app"), status.text)
    XCTAssertTrue(status.text.contains("ok     fresh"), status.text)
    XCTAssertTrue(status.text.contains("last drill: FAILED"), status.text)
    XCTAssertTrue(status.text.contains("NOT HEALTHY"), status.text)
    let json = try JSONSerialization.jsonObject(with: cli.run(["status", "--json"]).stdout) as! [String: Any]
    XCTAssertEqual(json["healthy"] as? Bool, false)

    let parsed = try cli.shell(
      """
      \(Self.python) - metrics.prom <<'PY'
      import sys
      from prometheus_client.parser import text_string_to_metric_families
      for family in text_string_to_metric_families(open(sys.argv[1]).read()):
          for s in family.samples:
              labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
              print(f"{s.name}[{labels}] {s.value}")
      PY
      """)
    let samples = Dictionary(
      uniqueKeysWithValues: parsed.split(separator: "\n").map { line -> (String, Double) in
        let parts = line.split(separator: " ")
        return (String(parts[0]), Double(parts[1])!)
      })
    XCTAssertEqual(samples["datamancy_item_ok[item=app,source=app]"], 0)
    XCTAssertEqual(samples["datamancy_item_ok[item=fresh,source=fresh]"], 1)
    XCTAssertEqual(samples["datamancy_item_rpo_seconds[item=app,source=app]"], 3600)
    XCTAssertEqual(samples["datamancy_item_raw_bytes[item=app,source=app]"], 288_894)
    XCTAssertEqual(samples["datamancy_drill_last_passed[]"], 0)
    XCTAssertEqual(samples["datamancy_repository_sets[]"], 3)
    XCTAssertEqual(samples["datamancy_healthy[]"], 0)
    let success = try XCTUnwrap(samples["datamancy_item_last_success_timestamp_seconds[item=app,source=app]"])
    XCTAssertEqual(success, Date().addingTimeInterval(-3 * 3600).timeIntervalSince1970, accuracy: 120)
  }
}
