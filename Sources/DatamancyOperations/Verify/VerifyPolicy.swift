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

  public func limit(for source: String) -> Double { rpo[source] ?? maxAge }
}
