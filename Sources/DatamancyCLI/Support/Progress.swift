import DatamancyOperations
import DatamancyPOSIX
import DatamancySources
import Foundation

/// A one-line progress display on standard error: bytes, rate, items; with a
/// known total (folders, measured beforehand), the total, percentage and time
/// left; the items running now. Shown only when standard error is a terminal and
/// neither --json nor --quiet is given. A log line erases it first (`clearLine`),
/// and the next tick draws it again below.
final class Progress: @unchecked Sendable {
  private let lock = NSLock()
  private var bytes = 0
  private var itemsDone = 0
  private var total = 0
  private var expected: (bytes: Int, files: Int)?
  private var running: [String] = []
  /// The running items' streams, to ask which file each reads.
  private var streams: [String: any ReadingProgress] = [:]
  private let verb: String
  private let started = Date()
  private var timer: (any DispatchSourceTimer)?
  private var shown = false

  /// The progress line on the screen now, so a log line can erase it.
  private static let current = Locked<Progress?>(nil)

  init(verb: String, items: Int = 0, enabled: Bool) {
    self.verb = verb
    total = items
    guard enabled else { return }
    let timer = DispatchSource.makeTimerSource(queue: .global())
    timer.schedule(deadline: .now() + 0.25, repeating: 0.25)
    timer.setEventHandler { [weak self] in self?.draw() }
    timer.resume()
    self.timer = timer
    Self.current.value = self
  }

  static func enabled(_ global: GlobalOptions) -> Bool {
    isatty(2) != 0 && !global.json && !global.quiet
  }

  /// How many items the run holds; 0 when not known.
  var itemsTotal: Int {
    get { lock.withLock { total } }
    set { lock.withLock { total = newValue } }
  }

  /// What the run will read, once known for every item.
  func expect(bytes: Int, files: Int) { lock.withLock { expected = (bytes, files) } }

  func add(bytes count: Int) { lock.withLock { bytes += count } }
  func started(_ item: String) { lock.withLock { running.append(item) } }
  func opened(_ item: String, _ stream: any ReadingProgress) { lock.withLock { streams[item] = stream } }
  func itemDone(_ item: String? = nil) {
    lock.withLock {
      itemsDone += 1
      if let item, let index = running.firstIndex(of: item) { running.remove(at: index) }
      if let item { streams[item] = nil }
    }
  }

  private func draw() {
    let line = lock.withLock { () -> String? in
      // Nothing before the work starts: a password prompt may be on the line.
      guard bytes > 0 || itemsDone > 0 || !running.isEmpty else { return nil }
      let elapsed = max(0.001, Date().timeIntervalSince(started))
      let rate = Double(bytes) / elapsed
      var parts = ["\(verb) \(Formatting.bytes(bytes))"]
      if let expected, expected.bytes > 0 {
        let fraction = min(1, Double(bytes) / Double(expected.bytes))
        parts[0] += " of \(Formatting.bytes(expected.bytes)) (\(Formatting.count(expected.files, "file")))"
        parts.append(String(format: "%.0f%%", fraction * 100))
        if rate > 0, fraction < 1 {
          parts.append("ETA \(Formatting.seconds(Double(expected.bytes - bytes) / rate))")
        }
      }
      parts.append("\(Formatting.bytes(Int(rate)))/s")
      if total > 0 { parts.append("items \(itemsDone)/\(total)") }
      if !running.isEmpty {
        parts.append(
          running.map { item in streams[item]?.currentFile.map { "\(item): \($0)" } ?? item }
            .joined(separator: ", "))
      }
      shown = true
      return parts.joined(separator: "  ")
    }
    guard let line else { return }
    let width = Int(Self.columns())
    let fitted = line.count > width - 1 ? String(line.prefix(max(10, width - 2))) + "…" : line
    FileHandle.standardError.write(Data("\r\u{1B}[K\(fitted)".utf8))
  }

  private static func columns() -> UInt16 {
    var size = winsize()
    return ioctl(2, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? size.ws_col : 80
  }

  /// Erases the line, if one is drawn (before a log line is written).
  static func clearLine() {
    guard let progress = current.value else { return }
    let wasShown = progress.lock.withLock {
      defer { progress.shown = false }
      return progress.shown
    }
    if wasShown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
  }

  /// Stops and erases the line.
  func finish() {
    guard let timer else { return }
    timer.cancel()
    Self.current.withLock { if $0 === self { $0 = nil } }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }
}
