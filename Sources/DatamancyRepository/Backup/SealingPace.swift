import DatamancyPOSIX
import Foundation

/// Whether a stream's sealers are behind its source: they are when, over the last
/// few batches, they spent almost none of their time waiting for chunks to seal.
/// Then compression bounds the backup's time and `Compression.auto` may choose a
/// faster level for some chunks (`ZstdCompressor.chosenLevel`); a source slower than
/// the sealers, or one that delivers in bursts, leaves them waiting part of the time.
public final class SealingPace: @unchecked Sendable {
  private let workers: Int
  private let clock: @Sendable () -> UInt64
  /// Nanoseconds the sealers spent waiting for work, in all.
  private let idle = Locked<UInt64>(0)
  /// Time and idle total at the start of each of the last batches (the reading
  /// thread only).
  private var marks: [(time: UInt64, idle: UInt64)]

  /// Batches over which the waiting is measured.
  public static let window = 3
  /// Waiting less than this share of their time, the sealers fall behind; more
  /// than `caughtUp`, they have caught up. Between the two they stay as they were:
  /// a faster level frees the sealers a little, which must not end being behind.
  public static let fallenBehind = 0.1
  public static let caughtUp = 0.25
  private var isBehind = false

  /// `clock`: nanoseconds on a monotonic clock (tests pass their own).
  public init(
    workers: Int, clock: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }
  ) {
    self.workers = workers
    self.clock = clock
    marks = [(clock(), 0)]
  }

  /// Counts `nanoseconds` a sealer spent waiting for a chunk.
  public func waited(_ nanoseconds: UInt64) { idle.withLock { $0 += nanoseconds } }

  /// Takes a sealer's next job, counting the time it waited for one.
  func take<Job>(from jobs: Channel<Job>) -> Job? {
    if let job = jobs.poll() { return job }
    let start = clock()
    defer { waited(clock() &- start) }
    return jobs.take()
  }

  /// Called as each batch begins (by the reading thread): whether the sealers are
  /// behind, judged by their waiting since the batch `window` batches earlier
  /// (not behind until there was one).
  public func behind() -> Bool {
    let now = (time: clock(), idle: idle.value)
    marks.append(now)
    if marks.count > Self.window + 1 { marks.removeFirst() }
    guard marks.count == Self.window + 1 else { return false }
    let span = Double(now.time &- marks[0].time) * Double(workers)
    // No time gone by (a coarse clock): nothing to judge, stay as before.
    guard span > 0 else { return isBehind }
    let share = Double(now.idle &- marks[0].idle) / span
    if share < Self.fallenBehind { isBehind = true }
    if share > Self.caughtUp { isBehind = false }
    return isBehind
  }
}
