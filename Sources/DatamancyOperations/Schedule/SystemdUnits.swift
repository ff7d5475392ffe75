import DatamancyConfig
import Foundation

/// systemd units for the scheduled jobs: a oneshot service and a timer per job,
/// and `datamancy-notify@.service`, which their `OnFailure=` starts.
///
/// Every secret reaches the service through `LoadCredential=` (a file readable only
/// by the service, under `$CREDENTIALS_DIRECTORY`), never the environment.
public enum SystemdUnits {
  /// File name → content.
  public static func files(_ context: ScheduleContext) -> [(String, String)] {
    var files: [(String, String)] = []
    for job in ScheduledJob.all(context.schedule) {
      files.append(("\(job.unit).service", service(job, context)))
      files.append(("\(job.unit).timer", timer(job, context)))
    }
    files.append(("datamancy-notify@.service", notifier(context)))
    return files
  }

  public static func command(_ context: ScheduleContext, _ arguments: [String]) -> String {
    ScheduledJob.argv(binary: context.binary, config: context.config, arguments).map(quoted)
      .joined(separator: " ")
  }

  /// Quotes an argument for an `Exec` line when it needs it.
  public static func quoted(_ argument: String) -> String {
    guard argument.contains(where: { " \"'\\;$%".contains($0) }) else { return argument }
    let escaped = argument.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
      of: "\"", with: "\\\""
    )
    .replacingOccurrences(of: "%", with: "%%").replacingOccurrences(of: "$", with: "$$")
    return "\"\(escaped)\""
  }

  public static func service(_ job: ScheduledJob, _ context: ScheduleContext) -> String {
    let writable = context.writablePaths.map(quoted).joined(separator: " ")
    return """
      # Written by datamancy-backup schedule install; changes are lost on reinstall.
      [Unit]
      Description=Datamancy Backup: \(job.description)
      Wants=network-online.target
      After=network-online.target
      OnFailure=datamancy-notify@%n.service

      [Service]
      Type=oneshot
      ExecStart=\(command(context, job.arguments))
      \(loadCredentials(context))
      Nice=10
      IOSchedulingClass=idle
      PrivateTmp=yes
      NoNewPrivileges=yes
      ProtectSystem=strict
      ProtectHome=read-only
      ProtectKernelTunables=yes
      ProtectKernelModules=yes
      ProtectKernelLogs=yes
      ProtectControlGroups=yes
      ProtectClock=yes
      ProtectHostname=yes
      RestrictSUIDSGID=yes
      RestrictRealtime=yes
      LockPersonality=yes
      RestrictNamespaces=yes
      SystemCallArchitectures=native
      ReadWritePaths=\(writable)

      """
  }

  /// One `LoadCredential=` line per credential file.
  static func loadCredentials(_ context: ScheduleContext) -> String {
    context.credentials.map { "LoadCredential=\($0):\(ScheduleSecrets.folder)/\($0)" }
      .joined(separator: "\n")
  }

  public static func timer(_ job: ScheduledJob, _ context: ScheduleContext) -> String {
    """
    # Written by datamancy-backup schedule install; changes are lost on reinstall.
    [Unit]
    Description=Datamancy Backup: \(job.description), on schedule

    [Timer]
    OnCalendar=\(job.calendar)
    Persistent=\(context.schedule.persistent ? "true" : "false")
    RandomizedDelaySec=\(Int(context.schedule.randomizedDelay))

    [Install]
    WantedBy=timers.target

    """
  }

  public static func notifier(_ context: ScheduleContext) -> String {
    """
    # Written by datamancy-backup schedule install; changes are lost on reinstall.
    [Unit]
    Description=Datamancy Backup: report the failure of %i

    [Service]
    Type=oneshot
    ExecStart=\(command(context, ["notify", "--failed-unit"])) %i
    \(loadCredentials(context))
    PrivateTmp=yes
    NoNewPrivileges=yes
    ProtectSystem=strict
    ProtectHome=read-only

    """
  }
}
