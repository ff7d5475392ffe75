import Foundation
import XCTest

/// `schedule install/remove` under a root folder: units that systemd accepts, with
/// the default calendars' next times; the same times in the cron file; idempotent
/// installs and a clean removal.
final class ScheduleTests: XCTestCase {
  var cli: CLI!

  override func setUpWithError() throws {
    cli = try CLI()
    try cli.configure(sources: "    app: { type: command, command: [echo, hi] }")
    try FileManager.default.createDirectory(atPath: cli.folder + "/root", withIntermediateDirectories: true)
    try cli.initialize()
  }

  func install(_ extra: [String] = []) throws -> String {
    let result = cli.run(["schedule", "install", "--root", "root", "--binary", CLI.binary] + extra)
    XCTAssertEqual(result.status, 0, result.stderr)
    return try cli.shell("cd root && find . -type f | sort | xargs sha256sum")
  }

  func testUnitsPassSystemdAnalyzeAndInstallTwiceIsIdentical() throws {
    let first = try install()
    XCTAssertEqual(try install(), first)
    let units = cli.folder + "/root/etc/systemd/system"
    let files = try FileManager.default.contentsOfDirectory(atPath: units).sorted()
    XCTAssertEqual(
      files,
      [
        "datamancy-backup.service", "datamancy-backup.timer", "datamancy-dr.service", "datamancy-dr.timer",
        "datamancy-notify@.service", "datamancy-verify.service", "datamancy-verify.timer",
      ])
    // systemd's own check of the units: it exits non-zero on any problem, and
    // says nothing when there is none.
    let verify = try cli.shell(
      "cd \(units) && systemd-analyze verify --man=no datamancy-*.service datamancy-*.timer 2>&1")
    XCTAssertEqual(verify, "")
    let service = try String(contentsOfFile: units + "/datamancy-backup.service", encoding: .utf8)
    XCTAssertTrue(
      service.contains(
        "LoadCredential=repository-password:/etc/datamancy-backup/credentials/repository-password"),
      service)
    XCTAssertTrue(service.contains("ProtectSystem=strict"))
    XCTAssertTrue(service.contains("OnFailure=datamancy-notify@%n.service"))
    XCTAssertFalse(service.contains("DATAMANCY_BACKUP_PASSWORD"), "no password in the environment")
    // The job's command line runs as written (from another folder).
    let exec = try cli.shell("sed -n 's/^ExecStart=//p' \(units)/datamancy-backup.service")
    XCTAssertEqual(try cli.shell("cd / && \(exec) > /dev/null && echo ran"), "ran")
    XCTAssertEqual(try cli.sets().count, 1)

    // The default calendars' next times, as systemd computes them.
    let base = "2026-11-28 12:00:00 UTC"
    let expected = [
      "datamancy-backup.timer": ["2026-11-29 02:00:00", "2026-11-30 02:00:00", "2026-12-01 02:00:00"],
      "datamancy-verify.timer": ["2026-11-29 04:00:00", "2026-12-06 04:00:00", "2026-12-13 04:00:00"],
      "datamancy-dr.timer": ["2026-12-06 06:00:00", "2027-01-03 06:00:00", "2027-02-07 06:00:00"],
    ]
    for (timer, times) in expected {
      let calendar = try cli.shell("sed -n 's/^OnCalendar=//p' \(units)/\(timer)")
      let next = try cli.shell(
        "TZ=UTC systemd-analyze calendar --iterations=3 --base-time='\(base)' '\(calendar)' | sed -n 's/.*Next elapse: *[A-Za-z]* \\(.*\\) UTC/\\1/p; s/.*Iter\\. #[0-9]*: *[A-Za-z]* \\(.*\\) UTC/\\1/p'"
      )
      XCTAssertEqual(next.split(separator: "\n").map(String.init), times, timer)
      // The cron line of the same job fires at the same times.
      let cron = try CronLine(
        job: timer.replacingOccurrences(of: ".timer", with: "").replacingOccurrences(
          of: "datamancy-", with: ""), cli: cli)
      XCTAssertEqual(cron.next(3, after: "2026-11-28T12:00:00Z"), times, "cron \(timer)")
    }
  }

  func testRemoveLeavesTheRootAsItWas() throws {
    _ = try install()
    _ = try install(["--cron"])
    XCTAssertEqual(cli.run(["schedule", "remove", "--root", "root"]).status, 0)
    XCTAssertEqual(try cli.shell("find root | sort"), "root")
  }

  func testOneKindOfScheduleAtATimeAndCronLogsRotate() throws {
    _ = try install()
    let cron = try install(["--cron"])
    XCTAssertFalse(cron.contains("systemd"), "installing cron removed the units:\n\(cron)")
    XCTAssertTrue(cron.contains("./etc/cron.d/datamancy-backup"), cron)
    let crontab = try String(
      contentsOfFile: cli.folder + "/root/etc/cron.d/datamancy-backup", encoding: .utf8)
    XCTAssertTrue(crontab.contains("CREDENTIALS_DIRECTORY=/etc/datamancy-backup/credentials"), crontab)
    let rotate = try String(
      contentsOfFile: cli.folder + "/root/etc/logrotate.d/datamancy-backup", encoding: .utf8)
    for job in ["backup", "verify", "dr"] {
      XCTAssertTrue(rotate.contains("/var/log/datamancy-\(job).log"), rotate)
      XCTAssertTrue(crontab.contains("/var/log/datamancy-\(job).log"), crontab)
    }
    let back = try install()
    XCTAssertFalse(back.contains("cron.d") || back.contains("logrotate"), "and back:\n\(back)")
  }

  func testAJobThatCouldNotOpenTheRepositoryIsReportedAtInstall() throws {
    cli.environment["DATAMANCY_BACKUP_PASSWORD"] = "not-the-password"
    let result = cli.run(["schedule", "install", "--root", "root", "--binary", CLI.binary])
    XCTAssertEqual(result.status, 2, result.stderr)
    XCTAssertTrue(result.stderr.contains("a scheduled job would fail"), result.stderr)
    XCTAssertTrue(result.stderr.contains("password"), result.stderr)
  }

  func testDryRunWritesNothing() throws {
    let result = cli.run(["schedule", "install", "--root", "root", "--cron", "--dry-run"])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(result.text.contains("0 2 * * * root"), result.text)
    XCTAssertEqual(try cli.shell("find root | sort"), "root")
  }
}

/// One job's line of the generated cron file, and when it fires.
struct CronLine {
  var minute: Set<Int>, hour: Set<Int>, days: Set<Int>?, weekdays: Set<Int>?, guardDay: Int?

  init(job: String, cli: CLI) throws {
    let text = cli.run([
      "schedule", "install", "--root", "root", "--cron", "--dry-run", "--binary", "/bin/true",
    ]).text
    let line = try XCTUnwrap(
      text.split(separator: "\n").first { $0.contains("/var/log/datamancy-\(job).log") })
    let fields = line.split(separator: " ").map(String.init)
    func values(_ field: String, _ range: ClosedRange<Int>) -> Set<Int>? {
      if field == "*" { return nil }
      return Set(
        field.split(separator: ",").flatMap { part -> [Int] in
          let bounds = part.split(separator: "-").compactMap { Int($0) }
          return bounds.count == 2 ? Array(bounds[0]...bounds[1]) : bounds
        })
    }
    minute = values(fields[0], 0...59)!
    hour = values(fields[1], 0...23)!
    days = values(fields[2], 1...31)
    weekdays = values(fields[4], 0...6)
    let guardMatch = line.range(of: #"\+\\%w\)" = (\d)"#, options: .regularExpression)
    guardDay = guardMatch.map { Int(String(line[$0].last!))! }
  }

  /// The next `count` firing times after `start`, as `yyyy-MM-dd HH:mm:ss` in UTC.
  func next(_ count: Int, after start: String) -> [String] {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    var time = try! Date(start, strategy: .iso8601)
    var found: [String] = []
    while found.count < count {
      time += 60
      let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: time)
      let weekday = c.weekday! - 1
      guard minute.contains(c.minute!), hour.contains(c.hour!) else { continue }
      // cron: when both day fields are restricted, either matches.
      let dayOK: Bool
      switch (days, weekdays) {
      case (nil, nil): dayOK = true
      case (let d?, nil): dayOK = d.contains(c.day!)
      case (nil, let w?): dayOK = w.contains(weekday)
      case (let d?, let w?): dayOK = d.contains(c.day!) || w.contains(weekday)
      }
      guard dayOK, guardDay.map({ $0 == weekday }) ?? true else { continue }
      found.append(
        String(format: "%04d-%02d-%02d %02d:%02d:00", c.year!, c.month!, c.day!, c.hour!, c.minute!))
    }
    return found
  }
}
