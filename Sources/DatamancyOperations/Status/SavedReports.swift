import DatamancyRepository
import Foundation

/// The reports saved in the repository (`reports/<set>/…`), typed: a drill
/// report says `"kind": "drill"`, a whole-stack recovery `"recover"` or
/// `"drill-cluster"`, every other readable one is a verify report.
/// `status` and the dashboard read them through this one rule.
public struct SavedReports: Sendable {
  /// Oldest first.
  public var drills: [(set: String, report: DrillReport)] = []
  public var verifies: [(set: String, report: VerifyReport)] = []
  /// `recover` and `drill --cluster` reports, oldest first.
  public var recoveries: [RecoveryReport] = []

  public init(_ reports: [(set: String, json: Data)]) {
    for (set, json) in reports {
      if let drill = try? BackupSet.decoder.decode(DrillReport.self, from: json), drill.kind == "drill" {
        drills.append((set, drill))
      } else if let recovery = try? BackupSet.decoder.decode(RecoveryReport.self, from: json),
        ["recover", "drill-cluster"].contains(recovery.kind)
      {
        recoveries.append(recovery)
      } else if let verify = try? BackupSet.decoder.decode(VerifyReport.self, from: json) {
        verifies.append((set, verify))
      }
    }
    drills.sort { $0.report.time < $1.report.time }
    verifies.sort { $0.report.time < $1.report.time }
    recoveries.sort { $0.time < $1.time }
  }
}
