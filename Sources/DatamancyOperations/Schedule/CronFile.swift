import DatamancyConfig
import DatamancySources
import Foundation

/// `/etc/cron.d/datamancy-backup`: the same jobs for hosts without systemd, each
/// logging to `/var/log/datamancy-<job>.log`.
///
/// Calendars translate when they name no year or month and run at second 0
/// (`CalendarSpec`'s forms otherwise). cron ORs day-of-month and day-of-week, so a
/// calendar with both (the first Sunday of the month) runs on the dates and checks
/// its one weekday itself.
public enum CronFile {
  public struct Untranslatable: Error, CustomStringConvertible {
    public var calendar: String
    public var description: String {
      "schedule '\(calendar)' has no cron equivalent here; use systemd timers, or the form "
        + "'[Sun] *-*-[DATES] HH:MM UTC'"
    }
  }

  public static func file(_ context: ScheduleContext) throws -> String {
    var lines = [
      "# Written by datamancy-backup schedule install; changes are lost on reinstall.",
      "# Times are UTC: CRON_TZ where cron supports it, else keep the host's clock in UTC.",
      "CRON_TZ=UTC",
      "SHELL=/bin/sh",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "# The secrets the jobs read, one file each, readable by root only (schedule install).",
      "\(SecretResolver.credentialsVariable)=\(ScheduleSecrets.folder)",
    ]
    for job in ScheduledJob.all(context.schedule) {
      let (fields, weekday) = try translate(job.calendar)
      let command = ScheduledJob.argv(binary: context.binary, config: context.config, job.arguments)
        .map(shellQuoted)
        .joined(separator: " ")
      let guardDay = weekday.map { "[ \"$(date -u +\\%w)\" = \($0) ] && " } ?? ""
      lines.append("\(fields) root \(guardDay)\(command) >> /var/log/datamancy-\(job.name).log 2>&1")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// `/etc/logrotate.d/datamancy-backup`: the jobs' logs, weekly, eight kept.
  public static let logrotate = """
    # Written by datamancy-backup schedule install --cron; changes are lost on reinstall.
    /var/log/datamancy-backup.log /var/log/datamancy-verify.log /var/log/datamancy-dr.log {
        weekly
        rotate 8
        compress
        delaycompress
        missingok
        notifempty
    }

    """

  /// The five time fields, and a weekday to check in the command when the
  /// calendar has both dates and days.
  public static func translate(_ calendar: String) throws -> (String, Int?) {
    guard let spec = try? CalendarSpec(calendar), spec.years == nil, spec.months == nil, spec.seconds == [0]
    else { throw Untranslatable(calendar: calendar) }
    let fields = [field(spec.minutes, 0...59), field(spec.hours, 0...23)]
    let dates = spec.days.map { field($0.sorted(), 1...31) } ?? "*"
    guard let weekdays = spec.weekdays?.sorted() else {
      return ((fields + [dates, "*", "*"]).joined(separator: " "), nil)
    }
    if dates == "*" { return ((fields + ["*", "*", field(weekdays, 0...6)]).joined(separator: " "), nil) }
    guard weekdays.count == 1 else { throw Untranslatable(calendar: calendar) }
    return ((fields + [dates, "*", "*"]).joined(separator: " "), weekdays[0])
  }

  /// Sorted values as a cron field: `*` for the whole range, runs as `A-B`.
  public static func field(_ values: [Int], _ range: ClosedRange<Int>) -> String {
    if values == Array(range) { return "*" }
    var parts: [String] = []
    var start = values[0]
    for (i, value) in values.enumerated() where i == values.count - 1 || values[i + 1] != value + 1 {
      parts.append(start == value ? "\(value)" : "\(start)-\(value)")
      if i + 1 < values.count { start = values[i + 1] }
    }
    return parts.joined(separator: ",")
  }

  public static func shellQuoted(_ argument: String) -> String {
    guard argument.contains(where: { !($0.isLetter || $0.isNumber || "/._-=:".contains($0)) }) else {
      return argument
    }
    return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
