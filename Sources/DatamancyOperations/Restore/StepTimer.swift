import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// One timed step of a restore or a drill.
public struct TimedStep: Codable, Sendable, Equatable {
  public var name: String
  public var seconds: Double

  public init(name: String, seconds: Double) {
    self.name = name
    self.seconds = seconds
  }
}

/// Times consecutive steps on one clock: each step starts where the previous one
/// ended, so the steps add up to the whole.
public struct StepTimer {
  public private(set) var steps: [TimedStep] = []
  private var mark = DispatchTime.now()
  private let start: DispatchTime

  public init() { start = mark }

  /// Runs `body` as the step `name` (recorded even when it throws).
  public mutating func run<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
    defer {
      let now = DispatchTime.now()
      steps.append(TimedStep(name: name, seconds: Self.seconds(from: mark, to: now)))
      mark = now
    }
    return try body()
  }

  /// Seconds from the start to the end of the last step.
  public var total: Double { Self.seconds(from: start, to: mark) }

  static func seconds(from start: DispatchTime, to end: DispatchTime) -> Double {
    Double(end.uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
  }
}
