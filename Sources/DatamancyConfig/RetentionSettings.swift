/// `retention:` at the top level, or per source (which replaces the top level's
/// rules for that source's items).
public struct RetentionSettings: Sendable, Equatable {
  public var keepLatest = 0
  public var keepHourly = 0
  public var keepDaily = 0
  public var keepWeekly = 0
  public var keepMonthly = 0
  public var keepAnnual = 0
  /// Seconds.
  public var keepWithin: Double?
  /// Apply the policy (forget and prune) after each successful backup.
  public var auto = false

  public init() {}

  static let keys: Set<String> = [
    "keep_latest", "keep_hourly", "keep_daily", "keep_weekly", "keep_monthly", "keep_annual", "keep_within",
    "auto",
  ]

  static func parse(_ node: ConfigNode) throws -> RetentionSettings {
    var settings = RetentionSettings()
    for (key, value) in try node.mapping(allowed: keys) {
      switch key {
      case "keep_latest": settings.keepLatest = try value.int(in: 0...1_000_000)
      case "keep_hourly": settings.keepHourly = try value.int(in: 0...1_000_000)
      case "keep_daily": settings.keepDaily = try value.int(in: 0...1_000_000)
      case "keep_weekly": settings.keepWeekly = try value.int(in: 0...1_000_000)
      case "keep_monthly": settings.keepMonthly = try value.int(in: 0...1_000_000)
      case "keep_annual": settings.keepAnnual = try value.int(in: 0...1_000_000)
      case "keep_within":
        let seconds = try value.duration(examples: "7d or 36h")
        settings.keepWithin = seconds
      default: settings.auto = try value.bool()
      }
    }
    return settings
  }
}
