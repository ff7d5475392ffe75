/// Parses durations such as `90s`, `30m`, `24h`, `7d`, `2w` into seconds.
public enum DurationText {
  /// The longest duration accepted: 100 years. Longer ones are typing mistakes,
  /// and their seconds overflow whole-number arithmetic further on.
  public static let maximum: Double = 100 * 365 * 86400

  /// The seconds, or nil when the text is not a positive duration of at most `maximum`.
  public static func seconds(_ text: String) -> Double? {
    guard let unit = text.last, let value = Double(text.dropLast()), value > 0 else { return nil }
    let seconds: Double
    switch unit {
    case "s": seconds = value
    case "m": seconds = value * 60
    case "h": seconds = value * 3600
    case "d": seconds = value * 86400
    case "w": seconds = value * 7 * 86400
    default: return nil
    }
    return seconds.isFinite && seconds <= maximum ? seconds : nil
  }
}

extension ConfigNode {
  /// A duration; one that is not a duration, or is out of range, is refused
  /// with the examples.
  public func duration(examples: String, minimum: Double = 0) throws -> Double {
    guard let seconds = DurationText.seconds(try string()), seconds >= minimum else {
      throw error(
        "expected a duration from \(minimum >= 1 ? "\(Int(minimum))s" : "0s") to 100 years, such as \(examples)"
      )
    }
    return seconds
  }
}
