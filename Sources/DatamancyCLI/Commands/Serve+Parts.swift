import DatamancyConfig
import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import DatamancyWeb
import Foundation
import Hummingbird

extension DatamancyBackup.Serve {
  static func application(_ server: WebServer) throws -> some ApplicationProtocol {
    do {
      return try server.makeApplication()
    } catch {
      throw CLIError.usage("serve: cannot use serve.tls_cert and serve.tls_key: \(error)")
    }
  }

  /// One repository object serves every page: the snapshot's re-read (which
  /// reloads the index) takes it alone; file listings and downloads share it.
  static let access = ReadWriteLock()

  static func cache(_ context: CommandContext, _ repository: Repository) -> DashboardCache {
    let (caches, operations) = (DashboardSnapshot.Caches(), context.operations)
    return DashboardCache(maxAge: 5, logger: context.logger, now: operations.now) {
      try access.writing {
        try operations.withLock(repository, exclusive: false, command: "serve", readOnly: true) {
          try repository.loadIndex()
          return try DashboardSnapshot.read(repository, context: operations, caches: caches)
        }
      }
    }
  }

  static func reader(_ context: CommandContext, _ repository: Repository)
    -> @Sendable (@escaping @Sendable (Repository) throws -> Void) throws -> Void
  {
    let operations = context.operations
    return { body in
      try access.reading {
        try operations.withLock(repository, exclusive: false, command: "serve", readOnly: true) {
          try body(repository)
        }
      }
    }
  }

  func startScheduler(_ context: CommandContext, _ repository: Repository, _ launcher: JobLauncher) throws {
    do {
      try ScheduleInstaller.check(context.operations)  // The jobs inherit this environment.
    } catch {
      throw OperationError("--schedule: a scheduled job would fail: \(error: error)")
    }
    let report = try StatusReport.build(repository, context: context.operations)
    let jobs = try ScheduledJob.all(context.config.schedule).map { job -> Scheduler.Job in
      let done: Date? =
        switch job.name {
        case "backup": report.lastRun?.time
        case "verify": report.lastVerify?.time
        default: report.lastDrill?.time
        }
      return Scheduler.Job(job: job, calendar: try CalendarSpec(job.calendar), lastDone: done)
    }
    Scheduler(
      jobs: jobs, launcher: launcher, logger: context.logger, persistent: context.config.schedule.persistent
    )
    .start(now: context.now)
  }
}
