import DatamancyPOSIX

/// Decoded repository files by name, for a reader that lists the same files again
/// and again (the dashboard). Only for files named by their content (sets,
/// reports), which never change under one name.
public final class FileCache<Value: Sendable>: Sendable {
  private let values = Locked<[String: Value]>([:])

  public init() {}

  subscript(name: String) -> Value? {
    get { values.value[name] }
    set { values.withLock { $0[name] = newValue } }
  }

  /// Forgets the files no longer listed (forgotten, pruned).
  func keep(_ names: [String]) {
    let listed = Set(names)
    values.withLock { $0 = $0.filter { listed.contains($0.key) } }
  }
}
