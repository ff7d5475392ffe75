import Foundation

extension BackupSet {
  /// The largest count (bytes, rows, files) a set file may record: 2^48, 256 TiB
  /// or 281 trillion rows per item. Sums over every item of 32,768 sets still fit
  /// in an `Int`, so pages and reports add them without checks.
  public static let countLimit = 1 << 48

  /// Why the numbers of this set cannot be used in arithmetic, or nil when they
  /// can: every count in `0...countLimit`, every duration finite and within a
  /// century, the time within years 1970...9999.
  public var outOfBounds: String? {
    func count(_ value: Int) -> Bool { (0...Self.countLimit).contains(value) }
    func duration(_ value: Double) -> Bool { value.isFinite && (0...3.2e9).contains(value) }
    let seconds = time.timeIntervalSince1970
    guard seconds.isFinite, (0..<253_402_300_800).contains(seconds) else { return "its time is out of range" }
    guard duration(durationSeconds) else { return "its duration is out of range" }
    for item in items {
      let counts =
        [item.rawBytes, item.storedBytes]
        + (item.fingerprints ?? []).flatMap { [$0.rows, $0.expiring ?? 0] }
        + (item.files.map {
          [$0.new, $0.changed, $0.unchanged, $0.directories, $0.bytesRead, $0.bytesSkipped]
        }
          ?? [])
      guard counts.allSatisfy(count), duration(item.durationSeconds) else {
        return "item \(item.name) records a size, count or duration out of range"
      }
    }
    return nil
  }
}
