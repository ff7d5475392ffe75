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
      case "backup": settings.backup = try value.string()
      case "verify": settings.verify = try value.string()
      case "drill": settings.drill = try value.string()
      case "randomized_delay":
        guard let seconds = DurationText.seconds(try value.string()) else {
          throw value.error("expected a duration such as 15m")
        }
        settings.randomizedDelay = seconds
      default: settings.persistent = try value.bool()
      }
    }
    return settings
  }
}
