import Foundation

/// `/etc/cron.d/datamancy-backup`: the same jobs for hosts without systemd, each
/// logging to `/var/log/datamancy-<job>.log`.
///
/// Calendars translate when they have the form `[DAYS] *-*-DATES HH:MM[:00] [UTC]`
/// (DAYS a day name, a list or range of them; DATES `*`, a number, a list or a
/// range). cron ORs day-of-month and day-of-week, so a calendar with both (the
/// first Sunday of the month) runs on the dates and checks the weekday itself.
enum CronFile {
  struct Untranslatable: Error, CustomStringConvertible {
    var calendar: String
    var description: String {
      "schedule '\(calendar)' has no cron equivalent here; use systemd timers, or the form "
        + "'[Sun] *-*-[DATES] HH:MM UTC'"
    }
  }

  static let days = ["Sun": 0, "Mon": 1, "Tue": 2, "Wed": 3, "Thu": 4, "Fri": 5, "Sat": 6]

  static func file(_ context: ScheduleContext) throws -> String {
    var lines = [
      "# Written by datamancy-backup schedule install; changes are lost on reinstall.",
      "# Times are UTC: CRON_TZ where cron supports it, else keep the host's clock in UTC.",
      "CRON_TZ=UTC",
      "SHELL=/bin/sh",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ]
    for job in ScheduledJob.all(context.schedule) {
      let (fields, weekday) = try translate(job.calendar)
      let command = ([context.binary, "--config", context.config] + job.arguments).map(shellQuoted)
        .joined(separator: " ")
      let guardDay = weekday.map { "[ \"$(date -u +\\%w)\" = \($0) ] && " } ?? ""
      lines.append("\(fields) root \(guardDay)\(command) >> /var/log/datamancy-\(job.name).log 2>&1")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The five time fields, and a weekday to check in the command when the
  /// calendar has both dates and days.
  static func translate(_ calendar: String) throws -> (String, Int?) {
    var parts = calendar.split(separator: " ").map(String.init)
    if parts.last == "UTC" { parts.removeLast() }
    var dayField = "*"
    if parts.count == 3 {
      dayField = try weekdays(parts.removeFirst(), calendar)
    }
    guard parts.count == 2 else { throw Untranslatable(calendar: calendar) }
    let date = parts[0].split(separator: "-")
    let time = parts[1].split(separator: ":")
    guard date.count == 3, date[0] == "*", date[1] == "*", time.count >= 2, time.count <= 3,
      time.count == 2 || time[2] == "00", let hour = Int(time[0]), let minute = Int(time[1]),
      (0..<24).contains(hour), (0..<60).contains(minute)
    else { throw Untranslatable(calendar: calendar) }
    let dates = date[2].replacingOccurrences(of: "..", with: "-")
    guard dates == "*" || dates.allSatisfy({ $0.isNumber || $0 == "," || $0 == "-" }) else {
      throw Untranslatable(calendar: calendar)
    }
    if dates != "*" && dayField != "*" {
      guard let single = Int(dayField) else { throw Untranslatable(calendar: calendar) }
      return ("\(minute) \(hour) \(dates) * *", single)
    }
    return ("\(minute) \(hour) \(dates) * \(dayField)", nil)
  }

  static func weekdays(_ text: String, _ calendar: String) throws -> String {
    try text.split(separator: ",").map { part -> String in
      let range = part.components(separatedBy: "..")
      let numbers = try range.map { name -> Int in
        guard let day = days[String(name.prefix(3))] else { throw Untranslatable(calendar: calendar) }
        return day
      }
      return numbers.map(String.init).joined(separator: "-")
    }.joined(separator: ",")
  }

  static func shellQuoted(_ argument: String) -> String {
    guard argument.contains(where: { !($0.isLetter || $0.isNumber || "/._-=:".contains($0)) }) else {
      return argument
    }
    return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
