import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// One `recover`: every configured source back to its newest good copy on the
/// configured servers and paths, accounts first, then everything else in
/// parallel (up to `concurrency`), each item proven against what was recorded
/// at backup, the whole stack timed. A failed item stops nothing else.
public struct RecoverRun {
  public struct Options {
    /// Only print what would be done.
    public var plan = false
    /// Replace targets that hold data, after saving what they hold.
    public var force = false
    public var only: [String] = []
    public var skip: [String] = []
    /// Put folders under this folder instead of their original paths.
    public var folderRoot: String?
    /// Sources left out, each with the reason the report gives.
    public var leftOut: [String: String] = [:]
    /// The report's kind: `recover`, or `drill-cluster`.
    public var kind = "recover"
    /// Where `postgres_pitr` clusters recover to.
    public var pointInTime: PointInTimeRestore.Target = .latest
    /// A recovered cluster archives into its source again (not onto a drill's stand-in).
    public var archiving = true

    public init() {}
  }

  public let context: OperationContext
  public let options: Options

  public init(context: OperationContext, options: Options) {
    self.context = context
    self.options = options
  }

  public func run() throws -> RecoveryReport {
    let repository = try context.openRepository()
    var recovery = RecoveryContext(
      operations: context, repository: repository, folderRoot: options.folderRoot)
    recovery.pointInTime = options.pointInTime
    recovery.archiving = options.archiving
    let command = options.plan ? "recover --plan" : "recover"
    // A cluster drill's stand-ins are new each time: it keeps no journal, and
    // never leaves one that a real recovery would take for its own work.
    let journal = RecoveryJournal(
      repository: options.kind == "recover" ? repository.config.id : nil, environment: context.environment)
    let held = options.plan ? nil : try journal.hold()
    defer { held.map { _ = close($0) } }
    return try context.withLock(repository, exclusive: false, command: command, readOnly: !options.force) {
      let plan = RecoveryPlan.make(
        sets: try repository.sets(), context: recovery, only: options.only, skip: options.skip,
        leftOut: options.leftOut)
      let clock = DispatchTime.now()
      var results: [String: RecoveredItem] = [:]
      var stages: [RecoveryReport.StageTime] = []
      for entry in plan.entries where entry.target == nil {
        results[entry.itemName] = RecoveredItem(
          item: entry.itemName, source: entry.source, set: entry.set?.id, setTime: entry.set?.time,
          outcome: entry.coveredBy == nil ? .skipped : .covered, reason: entry.skipped)
      }
      for stage in RecoveryStage.allCases {
        let entries = plan.entries(in: stage)
        guard !entries.isEmpty else { continue }
        let stageClock = DispatchTime.now()
        for item in parallel(entries, { recover($0, stage: stage, journal: journal) }) {
          results[item.item] = item
        }
        stages.append(.init(stage: stage.name, seconds: StepTimer.seconds(from: stageClock, to: .now())))
      }
      let report = RecoveryReport(
        kind: options.kind, time: context.now(), plan: options.plan,
        totalSeconds: StepTimer.seconds(from: clock, to: .now()),
        rtoTargetSeconds: context.config.drillRTO, stages: stages,
        items: plan.entries.compactMap { results[$0.itemName] }, unknownSources: plan.unknownSources)
      if !options.plan, let newest = plan.entries.compactMap(\.set).max(by: { $0.time < $1.time }) {
        try context.saveReport(report, about: newest.id, in: repository)
      }
      return report
    }
  }

  /// Runs `body` over `entries` on up to `concurrency` threads, keeping their order.
  func parallel(_ entries: [RecoveryPlan.Entry], _ body: @escaping (RecoveryPlan.Entry) -> RecoveredItem)
    -> [RecoveredItem]
  {
    let work = StageWork(entries: entries, body: body)
    let workers = max(1, min(entries.count, context.config.concurrency ?? Cores.available))
    DispatchQueue.concurrentPerform(iterations: workers) { _ in work.run() }
    return work.results.withLock { found in entries.indices.compactMap { found[$0] } }
  }

  /// One item: inspect the target; skip it when it already holds this copy;
  /// refuse it when it holds something else (unless forced, or holding this
  /// recovery's own unfinished work); restore; prove.
  func recover(_ entry: RecoveryPlan.Entry, stage: RecoveryStage, journal: RecoveryJournal) -> RecoveredItem {
    guard let target = entry.target, let item = entry.item, let set = entry.set else {
      preconditionFailure("only entries with a target are recovered")
    }
    var result = RecoveredItem(
      item: item.name, source: entry.source, set: set.id, setTime: set.time, stage: stage.name,
      target: target.description, outcome: .failed)
    var timer = StepTimer()
    attempt(target, item, set, journal, &result, &timer)
    result.phases = timer.steps
    result.seconds = timer.total
    return result
  }

  /// The steps of one item, recorded into `result` and timed by `timer`.
  private func attempt(
    _ target: any RecoveryTarget, _ item: BackupItem, _ set: BackupSet, _ journal: RecoveryJournal,
    _ result: inout RecoveredItem, _ timer: inout StepTimer
  ) {
    do {
      let occupant = try timer.run("inspect") { try target.occupant() }
      let ours = journal.started().contains(item.name)
      if occupant == nil && ours && !options.plan {
        // What an interrupted run began (an empty database it created) is made again.
        try timer.run("clear") { try target.clear() }
      }
      if let occupant {
        if !ours, let checks = try? timer.run("compare", { try target.check(item, of: set) }),
          checks.allSatisfy(\.passed)
        {
          result.outcome = .alreadyRestored
          result.checks = checks
          return
        }
        guard ours || options.force else {
          result.outcome = .refused
          result.reason =
            "the target holds \(occupant); recover restores into empty servers and paths. "
            + "Pass --force to replace it (saved first as a set tagged pre-restore where it can be)"
          return
        }
        if options.plan {
          result.outcome = .ready
          result.reason =
            ours ? "holds an interrupted recovery's work; replaced" : "holds \(occupant); replaced"
          return
        }
        if !ours { result.preRestoreSet = try timer.run("pre-restore backup") { try target.preserve() } }
        try timer.run("clear") { try target.clear() }
      }
      if options.plan {
        result.outcome = .ready
        return
      }
      context.logger.info("recovering \(item.name) from set \(set.shortID) into \(target.description)")
      try journal.mark(item.name, started: true, lock: Self.journalLock)
      try timer.run("restore") { try target.restore(item, of: set) }
      result.checks = try timer.run("prove") { try target.check(item, of: set) }
      try journal.mark(item.name, started: false, lock: Self.journalLock)
      result.outcome = result.checks.allSatisfy(\.passed) ? .restored : .differs
    } catch {
      result.outcome = .failed
      result.reason = "\(error: error)"
      context.logger.error("\(item.name): \(error: error)")
    }
  }

  static let journalLock = Locked<Void>(())
}

/// The entries of one stage and the work on them, shared by its workers: each
/// entry (and its target) is taken by exactly one worker, through the locked
/// counter, and `body` touches nothing of another entry; `concurrentPerform`
/// returns only when every worker has ended.
private final class StageWork: @unchecked Sendable {
  let entries: [RecoveryPlan.Entry]
  let body: (RecoveryPlan.Entry) -> RecoveredItem
  let next = Locked(0)
  let results = Locked<[Int: RecoveredItem]>([:])

  init(entries: [RecoveryPlan.Entry], body: @escaping (RecoveryPlan.Entry) -> RecoveredItem) {
    self.entries = entries
    self.body = body
  }

  func run() {
    while true {
      let index = next.withLock { value -> Int in
        defer { value += 1 }
        return value
      }
      guard index < entries.count else { return }
      let item = body(entries[index])
      results.withLock { $0[index] = item }
    }
  }
}
