import DatamancyConfig
import DatamancyPOSIX
import DatamancySources
import Foundation
import Logging

/// Runs the scheduled jobs inside `serve`, for hosts and containers without
/// systemd or cron. Each job runs as a child process (this binary, the same
/// configuration); a job never overlaps itself — a run due while the previous one
/// still goes is skipped and logged — and a job whose last completion is older
/// than its previous due time runs at start (like `Persistent=true`).
public final class Scheduler: Sendable {
  public struct Job: Sendable {
    public var job: ScheduledJob
    public var calendar: CalendarSpec
    /// When the job last finished, from the repository (newest set, verify, drill).
    public var lastDone: Date?

    public init(job: ScheduledJob, calendar: CalendarSpec, lastDone: Date?) {
      self.job = job
      self.calendar = calendar
      self.lastDone = lastDone
    }
  }

  private let jobs: [Job]
  private let launcher: JobLauncher
  private let logger: Logger
  private let persistent: Bool

  public init(jobs: [Job], launcher: JobLauncher, logger: Logger, persistent: Bool) {
    self.jobs = jobs
    self.launcher = launcher
    self.logger = logger
    self.persistent = persistent
  }

  /// Starts one thread per job.
  public func start(now: @escaping @Sendable () -> Date) {
    for job in jobs {
      Thread.detachNewThread { [self] in loop(job, now: now) }
    }
  }

  private func loop(_ job: Job, now: () -> Date) {
    var after = now()
    if persistent, let due = job.calendar.previous(before: after), (job.lastDone ?? .distantPast) < due {
      logger.notice("\(job.job.unit): missed its run at \(due.formatted(.iso8601)); running now")
      launch(job.job)
    }
    while let next = job.calendar.next(after: after) {
      let wait = next.timeIntervalSince(now())
      if wait > 0 { Thread.sleep(forTimeInterval: wait) }
      launch(job.job)
      after = next
    }
    logger.error("\(job.job.unit): its schedule has no future time; it will not run")
  }

  /// Starts the job in the background unless one of its kind is still running
  /// (scheduled or started from the dashboard).
  private func launch(_ job: ScheduledJob) {
    do {
      try launcher.launch(kind: job.kind, arguments: job.arguments, startedBy: "schedule")
    } catch {
      logger.warning("\(job.unit): the previous run is still going; this run is skipped")
    }
  }
}
