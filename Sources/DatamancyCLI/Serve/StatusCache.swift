import DatamancyOperations
import DatamancySources
import Foundation

/// The status as `serve` answers it: built at most once per `maxAge`, and once for
/// every request that arrives while it is being built, so a burst of scrapes reads
/// the repository once and a health probe never queues behind them.
actor StatusCache {
  private let maxAge: TimeInterval
  private let build: @Sendable () throws -> StatusReport
  private var cached: (time: Date, result: Result<StatusReport, Error>)?
  private var building: Task<Result<StatusReport, Error>, Never>?

  init(maxAge: TimeInterval, build: @escaping @Sendable () throws -> StatusReport) {
    self.maxAge = maxAge
    self.build = build
  }

  func report() async -> Result<StatusReport, Error> {
    if let cached, Date().timeIntervalSince(cached.time) < maxAge { return cached.result }
    if let building { return await building.value }
    let build = self.build
    // Reading the repository blocks: a thread of its own, not the server's.
    let task = Task<Result<StatusReport, Error>, Never> {
      await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: Result { try build() }) }
      }
    }
    building = task
    let result = await task.value
    cached = (Date(), result)
    building = nil
    return result
  }
}
