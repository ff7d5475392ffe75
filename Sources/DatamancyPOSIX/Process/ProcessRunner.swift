import Foundation

/// How every external program (dump tools, tar, secret commands) is started, so a
/// source is an argv builder plus the handling of its output, and tests can run
/// real stand-ins such as `false` or `sh -c`.
public protocol ProcessRunner: Sendable {
  /// Starts `argv[0]` (looked up on PATH) with `environment` added to ours.
  ///
  /// Its standard output is a pipe to us when `captureOutput` is true (else
  /// /dev/null); its standard input is a pipe from us when `feedInput` is true
  /// (else /dev/null); its standard error is kept, the last 4 KiB of it, for messages.
  /// Throws `ProcessError.notFound` when the program does not exist.
  func start(
    _ argv: [String], environment: [String: String], captureOutput: Bool, feedInput: Bool
  ) throws -> RunningProcess
}

/// How a program ended.
public enum ProcessOutcome: Equatable, Sendable, CustomStringConvertible {
  case exited(Int32)
  case signalled(Int32)

  public var succeeded: Bool { self == .exited(0) }

  public var description: String {
    switch self {
    case .exited(let code): return "exited with status \(code)"
    case .signalled(let signal): return "was killed by signal \(signal)"
    }
  }
}

/// Why a program could not be run.
public enum ProcessError: Error, CustomStringConvertible {
  case notFound(program: String)
  case spawnFailed(program: String, reason: String)
  /// The program ran and failed; `stderr` is the end of what it printed.
  case failed(program: String, outcome: ProcessOutcome, stderr: String)

  /// Which Debian package provides each tool we run.
  static let debianPackages = [
    "pg_dump": "postgresql-client", "pg_dumpall": "postgresql-client", "psql": "postgresql-client",
    "pg_restore": "postgresql-client", "mariadb-dump": "mariadb-client", "mariadb": "mariadb-client",
    "mysqldump": "mariadb-client", "slapcat": "slapd", "slapadd": "slapd", "ldapsearch": "ldap-utils",
    "ldapadd": "ldap-utils",
    "ldapdelete": "ldap-utils",
    "redis-cli": "redis-tools", "redis-check-rdb": "redis-tools", "docker": "docker.io", "tar": "tar",
    "redis-server": "redis-server", "slapd": "slapd", "curl": "curl", "systemctl": "systemd",
    "sendmail": "msmtp-mta (or another mail transfer agent)",
  ]

  public var description: String {
    switch self {
    case .notFound(let program):
      let name = (program as NSString).lastPathComponent
      let install = Self.debianPackages[name].map { "install Debian's \($0) package" } ?? "install it"
      return
        "program '\(program)' was not found; \(install), or give its full path (tools.\(name) in the source)"
    case .spawnFailed(let program, let reason): return "could not start '\(program)': \(reason)"
    case .failed(let program, let outcome, let stderr):
      let said = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
      return "'\(program)' \(outcome)" + (said.isEmpty ? "" : ": \(said)")
    }
  }
}
