import DatamancyPOSIX
import Foundation

/// Runs `body` for every index below `count`, on as many threads as the work
/// needs: one per core for work bound by the CPU (reads from a local disk), or
/// `connections` threads when each call mostly waits on the network.
enum ParallelReads {
  static func run(_ count: Int, connections: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let cores = Cores.available
    guard connections > cores, count > 1 else {
      DispatchQueue.concurrentPerform(iterations: count, execute: body)
      return
    }
    _ = BoundedParallel.map(count, width: connections) { body($0) }
  }
}
