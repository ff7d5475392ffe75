import DatamancyPOSIX
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The items a `recover` has started into their targets and not yet finished,
/// kept on this host (`$DATAMANCY_STATE_DIR`, else
/// `~/.local/state/datamancy-backup`), one file per repository. A target that
/// holds data and is named here holds this recovery's own unfinished work (a
/// load cut short by a kill), so the next run replaces it without `--force`.
struct RecoveryJournal {
  /// Nil: nothing is kept.
  let path: String?

  init(repository id: String?, environment: [String: String]) {
    guard let id else {
      path = nil
      return
    }
    let folder =
      environment["DATAMANCY_STATE_DIR"]
      ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/state/datamancy-backup")
    path = folder + "/recover-\(id).json"
  }

  /// Holds the journal for this run (`flock` on `PATH.lock`, released when the
  /// process ends however it ends): two recoveries of one repository on one
  /// host would load the same targets at once and read each other's work as
  /// their own.
  func hold() throws -> Int32? {
    guard let path else { return nil }
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let fd = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      throw RecoveryBusy(description: "cannot open \(path).lock: \(String(cString: strerror(errno)))")
    }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      close(fd)
      throw RecoveryBusy(
        description: "another recover of this repository is running on this host (it holds \(path).lock); "
          + "wait for it to end, or stop it, and run recover again: it continues where that one stopped")
    }
    return fd
  }

  func started() -> Set<String> {
    guard let path, let data = FileManager.default.contents(atPath: path),
      let names = try? JSONDecoder().decode([String].self, from: data)
    else { return [] }
    return Set(names)
  }

  /// Adds or removes one item; written whole through a temporary file.
  func mark(_ item: String, started: Bool, lock: Locked<Void>) throws {
    guard let path else { return }
    try lock.withLock { _ in
      var names = self.started()
      if started { names.insert(item) } else { names.remove(item) }
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try JSONEncoder().encode(names.sorted()).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
  }
}

/// Another `recover` of the same repository runs on this host.
public struct RecoveryBusy: Error, CustomStringConvertible {
  public let description: String
}
