import DatamancyConfig
import DatamancyRepository
import Foundation

/// `drill --cluster`: the whole of `recover`, onto stand-in servers the drill
/// starts itself (and folders under a scratch folder), the stack proven and
/// timed against `drill.rto`, then everything removed. Production is never a
/// target: a source without a stand-in is left out, and says why.
public struct ClusterDrillRun {
  public let context: OperationContext

  public init(context: OperationContext) { self.context = context }

  public func run(skip: [String]) throws -> RecoveryReport {
    var standIns: [any StandInServer] = []
    defer { for standIn in standIns { standIn.remove() } }
    let folders = try scratchFolder("datamancy-drill-cluster")
    defer { try? FileManager.default.removeItem(atPath: folders) }
    var options = RecoverRun.Options()
    options.plan = false
    options.skip = skip
    options.folderRoot = folders
    options.kind = "drill-cluster"
    // A cluster recovered onto its stand-in never archives into the source's archive.
    options.archiving = false
    var sources: [SourceConfig] = []
    for source in context.config.sources {
      guard !skip.contains(source.name) else {
        sources.append(source)  // left out by the recovery itself
        continue
      }
      switch context.engines.engine(of: source).anyStandIn(for: source, context: context) {
      case .server(let standIn):
        standIns.append(standIn)
        do {
          sources.append(try standIn.start(for: source))
          context.logger.info("\(source.name): recovering onto \(standIn.description)")
        } catch {
          options.leftOut[source.name] = "its stand-in server did not start: \(error: error)"
          sources.append(source)
        }
      case .folder:
        sources.append(source)
      case .unavailable(let reason):
        options.leftOut[source.name] = reason
        sources.append(source)
      }
    }
    var config = context.config
    config.sources = sources
    let report = try RecoverRun(context: context.with(config: config), options: options).run()
    context.notifier.finished(
      RunOutcome(
        event: "drill", succeeded: report.drillPassed, host: context.host, time: report.time, set: nil,
        summary: report.text,
        failures: report.items.filter { !$0.outcome.isGood }.map {
          .init(item: $0.item, error: $0.reason ?? "restored data differs from the backup's fingerprints")
        }))
    return report
  }
}

extension RecoveryReport {
  /// A cluster drill passes when every item came back and was proven, within the RTO.
  public var drillPassed: Bool { passed && totalSeconds <= rtoTargetSeconds }
}
