/// `schedule:`: when the timers (or cron) run each job, as systemd calendar
/// expressions (`man systemd.time`).
public struct ScheduleSettings: Sendable, Equatable {
  public var backup = "*-*-* 02:00:00 UTC"
  public var verify = "Sun *-*-* 04:00:00 UTC"
  /// The first Sunday of the month.
  public var drill = "Sun *-*-01..07 06:00:00 UTC"
  /// Spread the start by up to this many seconds (`RandomizedDelaySec=`).
  public var randomizedDelay: Double = 0
  /// Run a missed job at the next boot (`Persistent=`).
  public var persistent = true

  public init() {}

  static func parse(_ node: ConfigNode) throws -> ScheduleSettings {
    var settings = ScheduleSettings()
    for (key, value) in try node.mapping(allowed: [
      "backup", "verify", "drill", "randomized_delay", "persistent",
    ]) {
      switch key {
      case "backup": settings.backup = try calendar(value)
      case "verify": settings.verify = try calendar(value)
      case "drill": settings.drill = try calendar(value)
      case "randomized_delay":
        let seconds = try value.duration(examples: "15m")
        settings.randomizedDelay = seconds
      default: settings.persistent = try value.bool()
      }
    }
    return settings
  }

  /// A calendar expression, checked when the configuration is read: a mistake
  /// never reaches a timer's `OnCalendar=` to fail at install or, worse, at night.
  static func calendar(_ node: ConfigNode) throws -> String {
    let text = try node.string()
    do {
      _ = try CalendarSpec(text)
    } catch {
      throw node.error(
        "'\(text)' is not a calendar expression: expected [WEEKDAYS] [YEAR-MONTH-DAY] HOUR:MINUTE[:SECOND] [UTC], such as 'Mon..Fri *-*-* 02:00 UTC' (man systemd.time)"
      )
    }
    return text
  }
}
