import DatamancyPOSIX
import Foundation

/// Runs `body` for every index below `count`, on as many threads as the work
/// needs: one per core for work bound by the CPU (reads from a local disk), or
/// `connections` threads when each call mostly waits on the network.
enum ParallelReads {
  static func run(_ count: Int, connections: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    guard connections > cores, count > 1 else {
      DispatchQueue.concurrentPerform(iterations: count, execute: body)
      return
    }
    let next = Locked(0)
    let group = DispatchGroup()
    for _ in 0..<min(connections, count) {
      group.enter()
      Thread.detachNewThread {
        defer { group.leave() }
        while true {
          let i = next.withLock { value in
            defer { value += 1 }
            return value
          }
          guard i < count else { return }
          body(i)
        }
      }
    }
    group.wait()
  }
}
