/// Chunk sizes of a repository, fixed at `init` (changing them would stop new
/// data from deduplicating against old).
public struct ChunkerParameters: Codable, Equatable, Sendable {
  /// No chunk is shorter, except the last of a stream.
  public var minSize: Int
  /// The size chunks are normalized towards.
  public var averageSize: Int
  /// No chunk is longer.
  public var maxSize: Int

  /// 512 KiB / 2 MiB / 4 MiB: see docs/benchmarks.md for how they were chosen.
  public static let `default` = ChunkerParameters(
    minSize: 512 << 10, averageSize: 2 << 20, maxSize: 4 << 20)

  public init(minSize: Int, averageSize: Int, maxSize: Int) {
    self.minSize = minSize
    self.averageSize = averageSize
    self.maxSize = maxSize
  }

  /// Why these sizes cannot be used, or nil when they can.
  public var problem: String? {
    if averageSize & (averageSize - 1) != 0 { return "the average chunk size must be a power of two" }
    if averageSize < 1024 || averageSize > 64 << 20 {
      return "the average chunk size must be between 1 KiB and 64 MiB"
    }
    if !(minSize > 0 && minSize < averageSize && averageSize < maxSize) {
      return "chunk sizes must satisfy 0 < min < average < max"
    }
    return nil
  }
}
