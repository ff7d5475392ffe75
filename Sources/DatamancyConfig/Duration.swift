/// Parses durations such as `90s`, `30m`, `24h`, `7d`, `2w` into seconds.
public enum DurationText {
  public static func seconds(_ text: String) -> Double? {
    guard let unit = text.last, let value = Double(text.dropLast()), value > 0 else { return nil }
    switch unit {
    case "s": return value
    case "m": return value * 60
    case "h": return value * 3600
    case "d": return value * 86400
    case "w": return value * 7 * 86400
    default: return nil
    }
  }
}
