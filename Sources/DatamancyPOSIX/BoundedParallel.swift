import Foundation

/// Runs work items on at most `width` threads at once, each result in its
/// input's place: for work that waits on the disk (a folder's files read or
/// written), where more requests in flight than cores pays, but unbounded ones
/// would hold unbounded memory.
public enum BoundedParallel {
  /// Calls `body` for every index below `count`; returns each call's result. With
  /// `stopOnFailure`, indexes not yet started when a call failed are not run
  /// (their results are that failure).
  public static func map<T: Sendable>(
    _ count: Int, width: Int, stopOnFailure: Bool = false, _ body: @escaping @Sendable (Int) throws -> T
  ) -> [Result<T, any Error>] {
    let results = Locked([Result<T, any Error>?](repeating: nil, count: count))
    let next = Locked(0)
    let failed = Locked<(any Error)?>(nil)
    let group = DispatchGroup()
    for _ in 0..<min(width, count) {
      group.enter()
      DispatchQueue.global().async {
        defer { group.leave() }
        while true {
          let i = next.withLock { value in
            defer { value += 1 }
            return value
          }
          guard i < count else { return }
          if stopOnFailure, let error = failed.value {
            results.withLock { $0[i] = .failure(error) }
            continue
          }
          let result = Result { try body(i) }
          if case .failure(let error) = result { failed.withLock { if $0 == nil { $0 = error } } }
          results.withLock { $0[i] = result }
        }
      }
    }
    group.wait()
    return results.value.map { $0! }
  }
}
