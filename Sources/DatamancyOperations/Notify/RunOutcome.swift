import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// What a notification reports: one run of backup, verify, drill, or a failed
/// systemd unit. Holds names and the tools' messages, which never carry secrets.
public struct RunOutcome: Sendable, Encodable {
  public struct Failure: Sendable, Encodable {
    public var item: String
    public var error: String

    public init(item: String, error: String) {
      self.item = item
      self.error = error
    }
  }

  /// `backup`, `verify`, `drill` or `unit`.
  public var event: String
  public var succeeded: Bool
  public var host: String
  public var time: Date
  public var set: String?
  /// The run's summary, as the command printed it.
  public var summary: String
  public var failures: [Failure]

  public init(
    event: String, succeeded: Bool, host: String, time: Date, set: String?, summary: String,
    failures: [Failure]
  ) {
    self.event = event
    self.succeeded = succeeded
    self.host = host
    self.time = time
    self.set = set
    self.summary = summary
    self.failures = failures
  }

  /// A backup set's outcome.
  public static func backup(_ set: BackupSet, summary: String) -> RunOutcome {
    RunOutcome(
      event: "backup", succeeded: set.status == .complete, host: set.host, time: set.time, set: set.id,
      summary: summary,
      failures: set.items.filter { $0.status == .failed }.map {
        Failure(item: $0.name, error: $0.error ?? "failed")
      })
  }

  public var title: String {
    "datamancy-backup: \(event) \(succeeded ? "succeeded" : "FAILED") on \(host)"
  }
}
