import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Programs that refuse to run as root (PostgreSQL) run as their own user:
/// through `setpriv` when we are root, as they are otherwise (we are that user
/// already, or could not become it anyway).
enum RunAs {
  /// `argv` as `user` and `group` (names or numeric ids), with the user's groups.
  static func argv(_ argv: [String], user: String, group: String) -> [String] {
    guard geteuid() == 0 else { return argv }
    return ["setpriv", "--reuid=\(user)", "--regid=\(group)", "--init-groups"] + argv
  }
}
