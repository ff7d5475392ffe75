import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// What `verify` found for a set: one finding per check per item.
public struct VerifyReport: Codable, Sendable {
  public struct Finding: Codable, Sendable {
    /// The item, `SOURCE/NAME`.
    public var item: String
    /// The set the item was checked in.
    public var set: String
    /// `status`, `age`, `size`, `shrink`, `integrity` or `data`.
    public var check: String
    public var passed: Bool
    public var detail: String
  }

  /// Tells verify reports from drill reports among a set's reports.
  public var kind: String? = "verify"
  public var time: Date
  public var findings: [Finding] = []

  public var passed: Bool { findings.allSatisfy(\.passed) }
  public var failures: [Finding] { findings.filter { !$0.passed } }

  public init(time: Date) { self.time = time }
}
