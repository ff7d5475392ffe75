/// What a backup of a folder did with its files: how many it read because they
/// were new or changed, how many it took unchanged from the previous set without
/// opening them, and the bytes each way.
public struct FileCounts: Codable, Sendable, Equatable {
  public var new = 0
  public var changed = 0
  public var unchanged = 0
  public var directories = 0
  public var bytesRead = 0
  public var bytesSkipped = 0

  public init() {}
}
