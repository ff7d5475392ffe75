import ArgumentParser

/// The process exit codes, in one place. README "Exit codes" lists the same table,
/// and the root command's help shows it.
public enum ExitStatus: Int32, Error, CaseIterable {
  /// Everything asked for was done.
  case success = 0
  /// Failed for a reason not listed below; the message says which.
  case failure = 1
  /// The command line or the configuration file is wrong, or names a set or item
  /// that does not exist; nothing ran.
  case usage = 2
  /// The backup stored a set, but some of its items failed or left files unread
  /// (every item failed: 1).
  case partial = 3
  /// The repository is damaged: check found errors, restore or dump met corrupted or missing
  /// data, or prune refused because the index names missing packs.
  case damaged = 4
  /// verify found a problem: an item too old, empty, shrunk, or not restorable.
  case verifyFailed = 5
  /// A drill failed: an item did not restore, its data differs, or the RTO was missed.
  case drillFailed = 6
  /// status: an item is late, failed or missing, or the newest verify or drill failed.
  case unhealthy = 7
  /// recover: an item failed, was refused (its target holds data), was skipped,
  /// or differs from its backup after the restore; or a --plan is not ready.
  case recoverIncomplete = 8
  /// There is no repository at the given location.
  case noRepository = 10
  /// Another process holds a conflicting lock.
  case locked = 11
  /// The password opens no key of the repository.
  case wrongPassword = 12
  /// wal-fetch: the file is archived but cannot be read (damaged, or the repository
  /// or storage failed). Above 125, so PostgreSQL stops recovery instead of ending
  /// it early at the wrong point.
  case walUnreadable = 126
  /// Interrupted (Ctrl-C, SIGTERM).
  case interrupted = 130

  /// The table, in the root command's help (lines short enough not to wrap).
  static let table = """
    Exit codes:
      0    success
      1    failure (the message says what failed)
      2    bad command line or configuration file, or no such set or
           item; nothing ran
      3    partial: the set was saved, but some items failed or left
           files unread (a backup whose every item failed exits 1)
      4    repository damaged: check found errors, restore or dump met
           corrupted or missing data, or prune refused (missing packs)
      5    verify failed: an item too old, empty, shrunk, or unreadable
      6    drill failed: an item did not restore, its data differs,
           or the RTO was missed
      7    status: something is late, failed or missing, or the last
           verify or drill failed
      8    recover: an item failed, was refused, was skipped or differs
           from its backup; or the --plan is not ready
      10   no repository at the given location
      11   repository locked by another process
      12   wrong password
      126  wal-fetch: the file is archived but cannot be read (damage,
           repository or storage error): recovery must stop
      130  interrupted
    """

  /// What each subcommand's help says instead of repeating the table.
  static let reference = "Exit codes: see 'datamancy-backup --help'."
}
