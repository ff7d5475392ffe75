import Foundation
import XCTest

/// The backup and every tool it starts run as a batch job, and `cpus:` confines
/// them.
final class SchedulingCLITests: XCTestCase {
  /// The dump tool reports its own policy and that of every thread of its parent
  /// (the backup process).
  func testBackupAndItsToolsRunAsBatch() throws {
    let cli = try CLI()
    let report =
      "chrt -p $$ | head -1 | cut -d: -f2; for t in /proc/$PPID/task/*; do chrt -p ${t##*/} | head -1 | cut -d: -f2; done"
    try cli.configure(sources: "    policy: { type: command, command: [sh, -c, \"\(report)\"] }")
    try cli.initialize()
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 0, backup.stderr)
    let policies = try cli.shell("\(CLI.binary) dump latest policy").split(separator: "\n")
    XCTAssertGreaterThanOrEqual(policies.count, 4, "\(policies)")
    XCTAssertEqual(Set(policies.map { $0.trimmingCharacters(in: .whitespaces) }), ["SCHED_BATCH"])

    // A policy chosen from outside is kept.
    try cli.shellWithoutOutput("chrt -i 0 \(CLI.binary) backup")
    let kept = try cli.shell("\(CLI.binary) dump latest policy").split(separator: "\n")
    XCTAssertEqual(Set(kept.map { $0.trimmingCharacters(in: .whitespaces) }), ["SCHED_IDLE"], "\(kept)")
  }

  /// The dump tool reports its own CPUs and those of every thread of its parent
  /// (the backup process): all must be the configured one, even threads that
  /// existed before the configuration was read.
  func testBackupAndItsToolsRunOnTheConfiguredCPUs() throws {
    let cli = try CLI()
    let cpu = ProcessInfo.processInfo.processorCount - 1
    let report = "grep -h Cpus_allowed_list /proc/self/status /proc/$PPID/task/*/status | sort | uniq -c"
    try cli.configure(
      sources: "    affinity: { type: command, command: [sh, -c, \"\(report)\"] }", extra: "cpus: [\(cpu)]")
    try cli.initialize()
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 0, backup.stderr)
    let lines = try cli.shell("\(CLI.binary) dump latest affinity").split(separator: "\n")
    XCTAssertEqual(lines.count, 1, "\(lines)")
    XCTAssertTrue(lines.first?.hasSuffix("Cpus_allowed_list:\t\(cpu)") ?? false, "\(lines)")
    // The tool and at least the backup's main and reading threads were counted.
    let counted = Int(lines.first?.split(separator: " ").first ?? "") ?? 0
    XCTAssertGreaterThanOrEqual(counted, 3, "\(lines)")

    // Without the key, the same tool may use every CPU.
    try cli.configure(sources: "    affinity: { type: command, command: [sh, -c, \"\(report)\"] }")
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let all = try cli.shell("\(CLI.binary) dump latest affinity")
    if cpu > 0 { XCTAssertFalse(all.hasSuffix("Cpus_allowed_list:\t\(cpu)"), all) }
  }

  func testCPUsTheHostLacksAreAConfigurationErrorAndNothingRuns() throws {
    let cli = try CLI()
    try cli.configure(sources: "    a: { type: command, command: [echo, a] }")
    try cli.initialize()
    try cli.configure(sources: "    a: { type: command, command: [echo, a] }", extra: "cpus: [0, 1023]")
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 2, backup.stderr)
    XCTAssertTrue(backup.stderr.contains("datamancy-backup.yml:3: cpus:"), backup.stderr)
    XCTAssertTrue(backup.stderr.contains("1023 is not among them"), backup.stderr)
    try cli.configure(sources: "    a: { type: command, command: [echo, a] }")
    XCTAssertEqual(try cli.sets().count, 0)
  }
}
