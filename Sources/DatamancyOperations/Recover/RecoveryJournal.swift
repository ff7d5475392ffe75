import DatamancyPOSIX
import Foundation

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
