import DatamancyPOSIX
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A PostgreSQL server's data folder as the operating system sees it: who owns
/// it (PostgreSQL runs only as that user, never as root), and whether its
/// postmaster runs.
enum ServerProcess {
  struct Owner {
    let uid: uid_t
    let gid: gid_t

    /// `argv` run as the owner: through `setpriv` when we are root.
    func run(_ argv: [String]) -> [String] {
      uid == 0 ? argv : RunAs.argv(argv, user: String(uid), group: String(gid))
    }
  }

  static func owner(of path: String) throws -> Owner {
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw PointInTimeRestore.Refused(
        description: "cannot read \(path): \(String(cString: strerror(errno)))")
    }
    return Owner(uid: info.st_uid, gid: info.st_gid)
  }

  /// Gives `path` and everything in it to `owner` (only root can, and must).
  static func chown(_ path: String, to owner: Owner, runner: any ProcessRunner) throws {
    guard geteuid() == 0 else { return }
    _ = try runner.output(["chown", "-R", "\(owner.uid):\(owner.gid)", path])
  }

  /// The postmaster's pid, from the first line of `postmaster.pid`; nil when
  /// the file is absent or holds no pid.
  static func postmaster(of data: String) -> pid_t? {
    guard let text = try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8),
      let line = text.split(separator: "\n").first, let pid = pid_t(line), pid > 0
    else { return nil }
    return pid
  }
}
