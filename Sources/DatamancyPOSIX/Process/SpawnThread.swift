import Foundation

/// The one thread that starts every program.
///
/// Linux sends a child's parent-death signal when the *thread* that started it
/// ends, not the process; libdispatch's worker threads end when idle, which would
/// kill a dump midway. This thread never ends, so a child dies exactly when we
/// do, SIGKILL included.
// @unchecked: `jobs` is read and written only under `condition`.
final class SpawnThread: @unchecked Sendable {
  static let shared = SpawnThread()

  private let condition = NSCondition()
  private var jobs: [() -> Void] = []

  private init() {
    let thread = Thread { [unowned self] in self.loop() }
    thread.name = "spawn"
    thread.start()
  }

  /// Runs `body` on the spawn thread and returns its result.
  func run<T>(_ body: @escaping () -> T) -> T {
    let done = DispatchSemaphore(value: 0)
    var result: T?
    condition.withLock {
      jobs.append {
        result = body()
        done.signal()
      }
      condition.signal()
    }
    done.wait()
    return result!
  }

  private func loop() {
    while true {
      let job = condition.withLock { () -> () -> Void in
        while jobs.isEmpty { condition.wait() }
        return jobs.removeFirst()
      }
      job()
    }
  }
}
