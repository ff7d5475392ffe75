import Foundation

/// Records of runs that concern no one set (a copy to another repository, a
/// prune), sealed, as `activity/<kind>/<UTC time>/<sha256>`. The time in the
/// name lets a reader open only the newest records of a kind, however many
/// accumulate between prunes.
extension Repository {
  @discardableResult
  public func saveActivity(_ json: Data, kind: String, time: Date) throws -> String {
    let folder = "activity/\(kind)/\(Self.activityStamp(time))"
    return folder + "/" + (try putSealed(json, folder: folder, context: Sealing.Context.activity))
  }

  /// The names of a kind's records, newest first.
  public func activityNames(kind: String) throws -> [String] {
    try storageCall { try storage.list(prefix: "activity/\(kind)/") }.sorted(by: >)
  }

  /// The newest `limit` records of each kind, as JSON. With a `cache`, a record
  /// read before is not read again (named by content, too).
  public func newestActivity(kinds: [String], limit: Int, cache: FileCache<Data>? = nil) throws -> [Data] {
    let names = try kinds.flatMap { try activityNames(kind: $0).prefix(max(0, limit)) }
    cache?.keep(names)
    return try names.map { name in
      if let known = cache?[name] { return known }
      let json = try openActivity(name)
      cache?[name] = json
      return json
    }
  }

  public func openActivity(_ name: String) throws -> Data {
    try getSealed(name, context: Sealing.Context.activity)
  }

  public func deleteActivity(_ name: String) throws {
    try storageCall { try storage.delete(name) }
  }

  /// `20261207T061500.123Z`: fixed width, so names sort by time. Times outside
  /// 1970–9999 (a clock gone wrong) are clamped into it.
  static func activityStamp(_ time: Date) -> String {
    let seconds = min(max(time.timeIntervalSince1970, 0), 253_402_300_799)
    let whole = time_t(seconds.rounded(.down))
    var parts = tm()
    var copy = whole
    gmtime_r(&copy, &parts)
    let millis = Int((seconds - Double(whole)) * 1000)
    return String(
      format: "%04d%02d%02dT%02d%02d%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), min(millis, 999))
  }
}
