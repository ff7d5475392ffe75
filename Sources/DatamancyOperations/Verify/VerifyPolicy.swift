import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// The limits `verify` checks against.
public struct VerifyPolicy: Sendable {
  /// Default age limit of an item's newest good copy, in seconds (`verify.max_age`).
  public var maxAge: Double = 36 * 3600
  /// Per source, its own limit (`rpo:`), in seconds.
  public var rpo: [String: Double] = [:]
  /// An item that shrank by more than this fraction since the previous set fails.
  public var shrink: Double = 0.5

  public init() {}

  /// The configuration's policy: `verify.max_age` and `verify.shrink`, each
  /// source's `rpo`. The one place the RPO rule is written: a source's `rpo`,
  /// else `verify.max_age`, else 36 hours.
  public init(_ config: BackupConfig) {
    if let maxAge = config.verifyMaxAge { self.maxAge = maxAge }
    if let shrink = config.verifyShrink { self.shrink = shrink }
    for source in config.sources where rpo[source.name] == nil { rpo[source.name] = source.rpoSeconds }
  }

  public func limit(for source: String) -> Double { rpo[source] ?? maxAge }

  /// Whether a newest good copy `age` seconds old is too old for `limit`.
  public static func isLate(age: Double, limit: Double) -> Bool { age > limit }
}
