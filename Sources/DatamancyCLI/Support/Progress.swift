import DatamancyOperations
import Foundation

/// A one-line progress display on standard error: bytes, rate, items. Shown only
/// when standard error is a terminal and neither --json nor --quiet is given.
final class Progress: @unchecked Sendable {
  private let lock = NSLock()
  private var bytes = 0
  private var itemsDone = 0
  private var total = 0
  private let verb: String
  private let started = Date()
  private var timer: DispatchSourceTimer?

  init(verb: String, items: Int = 0, enabled: Bool) {
    self.verb = verb
    total = items
    guard enabled else { return }
    let timer = DispatchSource.makeTimerSource(queue: .global())
    timer.schedule(deadline: .now() + 0.25, repeating: 0.25)
    timer.setEventHandler { [weak self] in self?.draw() }
    timer.resume()
    self.timer = timer
  }

  static func enabled(_ global: GlobalOptions) -> Bool {
    isatty(2) != 0 && !global.json && !global.quiet
  }

  /// How many items the run holds; 0 when not known.
  var itemsTotal: Int {
    get { lock.withLock { total } }
    set { lock.withLock { total = newValue } }
  }

  func add(bytes count: Int) { lock.withLock { bytes += count } }
  func itemDone() { lock.withLock { itemsDone += 1 } }

  private func draw() {
    let (count, done, itemsTotal) = lock.withLock { (bytes, itemsDone, total) }
    let elapsed = max(0.001, Date().timeIntervalSince(started))
    let rate = Formatting.bytes(Int(Double(count) / elapsed))
    let items = itemsTotal > 0 ? "  items \(done)/\(itemsTotal)" : ""
    FileHandle.standardError.write(
      Data("\r\u{1B}[K\(verb) \(Formatting.bytes(count))  \(rate)/s\(items)".utf8))
  }

  /// Stops and erases the line.
  func finish() {
    guard let timer else { return }
    timer.cancel()
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }
}
