import DatamancyPOSIX
import Foundation

/// One job started by `serve` (by its schedule or from the dashboard): what it
/// runs, who started it, its output lines as they come, and how it ended.
public final class RunLog: Sendable {
  public struct Ending: Sendable {
    public var time: Date
    public var succeeded: Bool
    public var outcome: String
  }

  /// Lines kept per run; older ones are dropped (and counted) so a chatty run
  /// cannot grow the server's memory.
  static let lineLimit = 5000

  public let id: Int
  /// `backup`, `verify`, `drill` or `restore`.
  public let kind: String
  /// The command line after the binary, as shown to operators (never a secret).
  public let arguments: [String]
  /// `schedule`, or the dashboard user who started it.
  public let startedBy: String
  public let started: Date
  private let state = Locked<(lines: [String], dropped: Int, ending: Ending?)>(([], 0, nil))

  init(id: Int, kind: String, arguments: [String], startedBy: String, started: Date) {
    self.id = id
    self.kind = kind
    self.arguments = arguments
    self.startedBy = startedBy
    self.started = started
  }

  public var ending: Ending? { state.value.ending }

  /// The lines from number `from` on (numbered from the run's start, dropped
  /// lines included), and whether the run has ended. `from` may be any number a
  /// client sent: below the first kept line it means that line.
  public func lines(from: Int = 0) -> (lines: [String], next: Int, ended: Bool) {
    state.withLock { state in
      let first = from > state.dropped ? from - state.dropped : 0
      let lines = first < state.lines.count ? Array(state.lines[first...]) : []
      return (lines, state.dropped + state.lines.count, state.ending != nil)
    }
  }

  func append(_ line: String) {
    state.withLock { state in
      state.lines.append(line)
      let extra = state.lines.count - Self.lineLimit
      if extra > 0 {
        state.lines.removeFirst(extra)
        state.dropped += extra
      }
    }
  }

  func end(_ ending: Ending) { state.withLock { $0.ending = ending } }
}
