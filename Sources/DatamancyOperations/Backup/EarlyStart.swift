import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// Starts the tools of the first items before the repository is open.
///
/// Opening a repository derives its key from the password (scrypt: about a fifth
/// of a second of one core, by design), and a dump tool spends its first moments
/// connecting and reading the catalog. Started first, the tools do that while the
/// key is derived, then wait on their pipes until the run reads them. Whatever is
/// not read (the repository did not open, or is locked) is stopped by `cancel`.
public final class EarlyStart: @unchecked Sendable {
  private let started = Locked<[Int: Result<any DumpStream, any Error>]>([:])
  /// The items to run: the first `count` hand over their started tools.
  public private(set) var items: [PlannedItem] = []

  public init(_ planned: [PlannedItem], count: Int) {
    for (i, item) in planned.enumerated() {
      guard i < count else {
        items.append(item)
        continue
      }
      let result = Result { try item.open() }
      started.withLock { $0[i] = result }
      var early = item
      // A failure to start is reported when the item runs, as it would have been.
      early.open = { [self] in try take(i) }
      items.append(early)
    }
  }

  private func take(_ i: Int) throws -> any DumpStream {
    guard let result = started.withLock({ $0.removeValue(forKey: i) }) else {
      preconditionFailure("an early-started item was opened twice")
    }
    return try result.get()
  }

  /// Stops the tools no item has taken.
  public func cancel() {
    let left = started.withLock { started in
      defer { started.removeAll() }
      return started.values
    }
    for case .success(let source) in left { source.cancel() }
  }
}
