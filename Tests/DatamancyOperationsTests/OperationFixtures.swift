import DatamancyConfig
import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import DatamancyStorage
import Foundation
import Logging

/// Operations run here without the command line: a context from a YAML text, a
/// guard that never exits, repositories in memory or in a scratch folder.
enum OperationFixtures {
  static let password = "operations-Pa55word"

  struct TestGuard: RunGuard {
    func whileRunning<T>(cleanup: @escaping @Sendable () -> Void, _ body: () throws -> T) rethrows -> T {
      try body()
    }
    func abort(_ message: String) -> Never { fatalError(message) }
  }

  static func context(
    _ yaml: String, environment: [String: String] = [:], now: Date = Date()
  ) throws -> OperationContext {
    OperationContext(
      config: try BackupConfig.parse(yaml, file: "test.yml"), configFile: nil, repositoryOverride: nil,
      environment: environment, runner: SystemProcessRunner(), logger: Logger(label: "test"),
      now: { now }, host: "test-host", noLock: false, guardian: TestGuard(), askPassword: nil)
  }

  static func repository(_ storage: Storage = MemoryStorage()) throws -> Repository {
    var options = InitOptions()
    options.kdfCost = 1024
    options.chunker = ChunkerParameters(minSize: 1024, averageSize: 4096, maxSize: 16384)
    options.packSize = 64 << 10
    return try Repository.initialize(
      storage: storage, password: password, options: options, now: Date(), host: "test")
  }

  /// Pseudo-random bytes (xorshift) of one seed.
  static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    return (0..<count).map { _ in
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
      return UInt8(truncatingIfNeeded: state)
    }
  }

  /// Stores one set of `items` (name → bytes) at `time`; `edit` changes each
  /// item's record before the set is saved (what it says it holds).
  @discardableResult
  static func backup(
    _ items: [(name: String, source: String, data: [UInt8])], into repository: Repository, time: Date,
    tags: [String] = [], edit: (inout BackupItem) -> Void = { _ in }
  ) throws -> BackupSet {
    let session = BackupSession(repository: repository)
    var stored: [BackupItem] = []
    for item in items {
      let result = try session.store(MemoryStream(item.data))
      var record = BackupItem(
        name: item.name, source: item.source, format: .stream, status: .ok, rawBytes: result.rawBytes,
        storedBytes: result.storedBytes, durationSeconds: 0, chunks: result.chunks.map(\.hex))
      edit(&record)
      stored.append(record)
    }
    try session.finish()
    return try repository.save(
      BackupSet(time: time, host: "test", tags: tags, durationSeconds: 0, items: stored))
  }
}
