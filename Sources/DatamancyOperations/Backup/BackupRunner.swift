import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation
import Logging

/// Runs one backup: stores every planned item, up to `concurrency` at once, then
/// commits the index and saves one set. A failed item never stops the others; it
/// is recorded with the tool's message and makes the set `partial`.
public struct BackupRunner: Sendable {
  public var session: BackupSession
  public var concurrency: Int
  public var host: String
  public var tags: [String] = []
  /// The configuration's text, kept in the set (`BackupSet.configuration`).
  public var configuration: String?
  public var logger: Logger
  /// Called when an item finishes, from any thread.
  public var onItem: (@Sendable (BackupItem) -> Void)?
  /// Called when an item starts, from any thread.
  public var onStart: (@Sendable (PlannedItem) -> Void)?
  /// Called with an item's stream once its tool runs (to ask which file it
  /// reads), from any thread.
  public var onOpen: (@Sendable (String, any ReadingProgress) -> Void)?
  /// Each folder item's previous root tree, by item name.
  public var parents: [String: [ChunkID]] = [:]
  /// Read every file of a folder, even those unchanged since its previous tree.
  public var forceReread = false

  public init(session: BackupSession, concurrency: Int, host: String, logger: Logger) {
    self.session = session
    self.concurrency = max(1, concurrency)
    self.host = host
    self.logger = logger
  }

  /// Stores the items and saves the set, stamped with `time`.
  public func run(_ planned: [PlannedItem], time: Date) throws -> BackupSet {
    let started = DispatchTime.now()
    let results = Locked<[BackupItem?]>(Array(repeating: nil, count: planned.count))
    let gate = DispatchSemaphore(value: concurrency)
    let group = DispatchGroup()
    for (i, item) in planned.enumerated() {
      gate.wait()
      group.enter()
      DispatchQueue.global().async {
        defer {
          gate.signal()
          group.leave()
        }
        onStart?(item)
        let stored = store(item)
        results.withLock { $0[i] = stored }
        onItem?(stored)
      }
    }
    group.wait()
    try session.finish()
    var set = BackupSet(
      time: time, host: host, tags: tags, durationSeconds: Self.seconds(since: started),
      items: results.value.compactMap { $0 })
    set.configuration = configuration
    return try session.repository.save(set)
  }

  private func store(_ item: PlannedItem) -> BackupItem {
    let started = DispatchTime.now()
    var result = BackupItem(
      name: item.name, source: item.source, format: item.format, status: .failed, rawBytes: 0,
      storedBytes: 0, durationSeconds: 0, chunks: [])
    result.content = item.content
    result.path = item.path
    logger.info("backing up \(item.name)")
    if let scanner = item.scanner {
      storeTree(item, scanner, into: &result)
    } else {
      storeStream(item, into: &result)
    }
    result.durationSeconds = Self.seconds(since: started)
    // Informational: the log file keeps them; the terminal shows them once, in
    // the run's summary.
    if let error = result.error {
      logger.info("\(item.name) failed: \(error)")
    } else if let warning = result.warning {
      logger.info("\(item.name): warning: \(warning)")
    }
    return result
  }

  /// Stores a stream item (a dump, a command's output).
  private func storeStream(_ item: PlannedItem, into result: inout BackupItem) {
    var output: (any DumpStream)?
    do {
      let source = try item.open()
      output = source
      onOpen?(item.name, source)
      let stored = try session.store(source)
      result.rawBytes = stored.rawBytes
      result.storedBytes = stored.storedBytes
      if stored.rawBytes == 0 && item.emptyIsFailure {
        result.error = "\(source.label) produced no output"
      } else {
        result.status = .ok
        result.chunks = stored.chunks.map(\.hex)
        result.warning = source.warning
        result.fingerprints = source.fingerprints
        result.recovery = source.recovery
      }
    } catch {
      // Stop a tool we no longer read from, so it cannot block forever.
      output?.cancel()
      result.error = String(describing: error)
    }
  }

  /// Stores a folder as a file tree, compared with its previous tree.
  private func storeTree(
    _ item: PlannedItem, _ scanner: @Sendable (BackupSession, Bool) throws -> TreeScanner,
    into result: inout BackupItem
  ) {
    do {
      let scan = try scanner(session, forceReread)
      onOpen?(item.name, scan)
      let outcome = try scan.scan(previous: parents[item.name])
      result.status = .ok
      result.tree = outcome.tree.map(\.hex)
      result.rawBytes = outcome.rawBytes
      result.storedBytes = outcome.storedBytes
      result.files = outcome.counts
      result.unreadable = outcome.unreadable.isEmpty ? nil : outcome.unreadable
      result.warning = outcome.warnings.isEmpty ? nil : outcome.warnings.joined(separator: "; ")
    } catch {
      result.error = String(describing: error)
    }
  }

  static func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
  }
}
