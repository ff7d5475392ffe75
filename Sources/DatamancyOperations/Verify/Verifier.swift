import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// Checks that a set's items are fresh, plausible and restorable: the age of each
/// item's newest good copy against its RPO; a non-zero size and no sharp shrink
/// against the previous set; the item's own integrity, streamed out of the
/// repository into its engine's tool (`IntegrityCheck`); and, on the way, every
/// chunk read and authenticated.
public struct Verifier {
  public let repository: Repository
  public let runner: any ProcessRunner
  /// Whose content checks read the items.
  public let engines: EngineRegistry
  public var policy: VerifyPolicy
  public var now: Date

  public init(
    repository: Repository, runner: any ProcessRunner, engines: EngineRegistry, policy: VerifyPolicy,
    now: Date
  ) {
    self.engines = engines
    self.repository = repository
    self.runner = runner
    self.policy = policy
    self.now = now
  }

  /// Verifies `items` of `set` (all of them when nil); `history` is every set.
  public func verify(
    _ set: BackupSet, items names: [String]? = nil, history: [BackupSet], into report: inout VerifyReport
  ) {
    for item in set.items where names?.contains(item.name) ?? true {
      func record(_ check: String, _ passed: Bool, _ detail: String) {
        report.findings.append(
          .init(item: item.name, set: set.shortID, check: check, passed: passed, detail: detail))
      }
      let newestGood = history.last { $0.hasGood(item.name) }
      let limit = policy.limit(for: item.source)
      if let newestGood {
        let age = now.timeIntervalSince(newestGood.time)
        record(
          "age", !VerifyPolicy.isLate(age: age, limit: limit),
          "newest good copy is \(Formatting.seconds(age)) old; the limit is \(Formatting.seconds(limit))"
        )
      } else {
        record("age", false, "no good copy in any set")
      }
      guard item.status == .ok else {
        record("status", false, "the item failed at backup: \(item.error ?? "no data")")
        continue
      }
      record("size", item.rawBytes > 0, Formatting.bytes(item.rawBytes))
      let previous = history.last {
        $0.time < set.time && $0.hasGood(item.name)
      }
      if let before = previous?.items.first(where: { $0.name == item.name }), before.rawBytes > 0 {
        let floor = Double(before.rawBytes) * (1 - policy.shrink)
        record(
          "shrink", Double(item.rawBytes) >= floor,
          "\(Formatting.bytes(before.rawBytes)) in set \(previous!.shortID), \(Formatting.bytes(item.rawBytes)) now"
        )
      }
      do {
        let detail = try IntegrityCheck(repository: repository, runner: runner, engines: engines).run(
          item, of: set)
        record("integrity", true, detail)
        record("data", true, "every chunk read and authenticated")
      } catch let error as RepositoryError {
        record("data", false, error.description)
      } catch {
        record("integrity", false, "\(error: error)")
      }
    }
  }
}
