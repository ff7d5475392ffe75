import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation
import Logging

/// The five phases of a disaster-recovery drill for one item — select, prepare a
/// scratch target, restore, verify against the backup's fingerprints, clean up —
/// each timed on one clock, so the phases add up to the item's recovery time.
/// Clean-up always runs, whatever failed before it.
public struct Drill {
  public var logger: Logger

  public init(logger: Logger) { self.logger = logger }

  /// Drills `item`; `scratch` is nil when no target can be built for it, with
  /// `unavailable` saying why.
  public func run(
    _ item: BackupItem, of set: BackupSet, scratch: (any DrillScratch)?, unavailable: String? = nil
  )
    -> ItemDrill
  {
    var timer = StepTimer()
    var checks: [DrillCheck] = []
    var failure: String?
    do {
      let scratch = try timer.run("select") { () throws -> any DrillScratch in
        guard item.status == .ok else {
          throw DrillError.failedAtBackup(item: item.name)
        }
        if item.format != .tree { _ = try ChunkStreamer.ids(of: item, set: set) }
        guard let scratch else {
          throw DrillError.noTarget(item: item.name, reason: unavailable ?? "no drill target")
        }
        return scratch
      }
      try timer.run("prepare") { try scratch.prepare() }
      logger.info("drill \(item.name): restoring into \(scratch.description)")
      try timer.run("restore") { try scratch.restore(item, of: set) }
      checks = try timer.run("verify") { try scratch.check(item) }
    } catch {
      failure = "\(error: error)"
    }
    timer.run("cleanup") {
      do {
        try scratch?.cleanup()
      } catch {
        failure = (failure.map { $0 + "; " } ?? "") + "clean-up failed: \(error: error)"
      }
    }
    let result = ItemDrill(
      item: item.name, target: scratch?.description ?? "none", phases: timer.steps, checks: checks,
      error: failure)
    for step in timer.steps {
      logger.info("drill \(item.name): \(step.name) took \(String(format: "%.2f", step.seconds)) s")
    }
    if let failure { logger.error("drill \(item.name) failed: \(failure)") }
    return result
  }
}
