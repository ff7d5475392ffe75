import DatamancyConfig
import DatamancyPOSIX
import DatamancySources
import Foundation

/// `schedule install` and `schedule remove`: the units (or the cron file), the
/// credentials they read, and a check, before anything is enabled, that a job
/// started with only those credentials opens the repository and reads every secret.
public struct ScheduleInstaller {
  public let context: OperationContext
  public let cron: Bool
  /// Where `/` is (packaging, tests); empty for this host, where systemctl runs.
  public let root: String
  public let binary: String

  public init(context: OperationContext, cron: Bool, root: String, binary: String) {
    self.context = context
    self.cron = cron
    self.root = root
    self.binary = binary
  }

  /// The timers systemctl enables and disables.
  var timers: [String] { ScheduledJob.all(context.config.schedule).map { $0.unit + ".timer" } }

  /// What install writes. Throws, naming each, when a secret cannot be provided.
  public func files() throws -> [ScheduleFiles.File] {
    let secrets = ScheduleSecrets(context, root: root)
    guard secrets.missing.isEmpty else {
      throw OperationError(
        "the scheduled jobs would run without secrets they need, so nothing was installed:\n  "
          + secrets.missing.joined(separator: "\n  "))
    }
    return try ScheduleFiles.files(cron: cron, root: root, binary: binary, context: context, secrets: secrets)
  }

  /// Writes the files (credentials 0600 in a 0700 folder), removes the other
  /// kind's files, checks the jobs' view, then enables the timers. Returns what it did.
  public func install() throws -> [String] {
    let files = try files()
    var done: [String] = []
    for file in files {
      let folder = (file.path as NSString).deletingLastPathComponent
      try FileManager.default.createDirectory(
        atPath: folder, withIntermediateDirectories: true,
        attributes: file.secret ? [.posixPermissions: 0o700] : nil)
      if file.secret { chmod(folder, 0o700) }  // Also when it was there before, made by someone else.
      try AtomicFile.write(file.content, to: file.path, mode: file.secret ? 0o600 : 0o644)
      done.append("wrote \(file.path)")
    }
    try checkJobsCanRun()
    done += try removeOtherKind()
    if root.isEmpty && !cron {
      try Systemctl.run(["daemon-reload"], context)
      try Systemctl.run(
        ["enable", "--now"] + timers, context)
    }
    return done
  }

  /// A job sees no shell environment, only the credentials: with exactly that, the
  /// repository must open and every secret the configuration names must resolve.
  public func checkJobsCanRun() throws {
    let environment = [
      "PATH": context.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin",
      SecretResolver.credentialsVariable: root + ScheduleSecrets.folder,
    ]
    let job = OperationContext(
      config: context.config, configFile: context.configFile, repositoryOverride: nil,
      environment: environment, runner: context.runner, logger: context.logger, now: context.now,
      host: context.host, noLock: true, guardian: context.guardian, askPassword: nil)
    do {
      try Self.check(job)
    } catch {
      throw OperationError(
        "the files are written, but a scheduled job would fail: \(error: error); fix that and run 'schedule install' again"
      )
    }
  }

  /// Whether a job run with `job`'s environment reads every secret of the
  /// configuration and opens the repository (`serve --schedule` checks its own).
  public static func check(_ job: OperationContext) throws {
    if let problem = job.secretProblems().first { throw OperationError(problem) }
    _ = try job.openRepository(loadIndex: false)
  }

  /// Installing cron removes the systemd units, and the other way round: one
  /// schedule, never two running the same jobs.
  func removeOtherKind() throws -> [String] {
    let others = ScheduleFiles.paths(systemd: cron, cron: !cron, root: root)
    guard others.contains(where: FileManager.default.fileExists) else { return [] }
    if cron && root.isEmpty {
      try? Systemctl.run(
        ["disable", "--now"] + timers, context)
    }
    return try remove(others)
  }

  /// `schedule remove`: both kinds, and the credentials, which exist only for them.
  public func removeAll() throws -> [String] {
    if root.isEmpty,
      FileManager.default.fileExists(atPath: ScheduleFiles.systemdFolder + "/datamancy-backup.timer")
    {
      try? Systemctl.run(
        ["disable", "--now"] + timers, context)
    }
    var removed = try remove(ScheduleFiles.paths(systemd: true, cron: true, root: root))
    let credentials = root + ScheduleSecrets.folder
    if FileManager.default.fileExists(atPath: credentials) {
      try FileManager.default.removeItem(atPath: credentials)
      removed.append("removed \(credentials)")
    }
    if root.isEmpty { try? Systemctl.run(["daemon-reload"], context) }
    return removed
  }

  func remove(_ paths: [String]) throws -> [String] {
    try paths.filter(FileManager.default.fileExists).map { path in
      try FileManager.default.removeItem(atPath: path)
      return "removed \(path)"
    }
  }
}
