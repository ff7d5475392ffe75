import CLinux
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes a file tree back out, as it was: regular files (sparse ones with
/// their holes), directories, symlinks, hardlinks as hardlinks, FIFOs, device
/// nodes (as root), modes with setuid/setgid/sticky, owners (numeric, or by
/// name), nanosecond mtimes, extended attributes and ACLs.
///
/// Owners are set only as root (a user cannot give files away); a directory's
/// times are set after its content is written, so writing does not change them.
public final class TreeRestorer: @unchecked Sendable {
  public let repository: Repository
  /// Map owners by their names at backup where this host knows them.
  public var ownersByName = false
  /// What to do with a file the target already has (restoring into an existing
  /// folder): keep it, replace it when its size or mtime differ, or replace it.
  public enum Overwrite: String, Sendable, CaseIterable {
    case never
    case ifChanged = "if-changed"
    case always
  }

  public var overwrite = Overwrite.never
  /// Paths inside the item to restore (with what is under them); all when empty.
  public var paths: [[UInt8]] = []
  public var onBytes: (@Sendable (Int) -> Void)?
  /// Files written at once within one directory.
  var width = 4
  let isRoot = geteuid() == 0
  /// Whether the target was empty when the restore began: then nothing in it
  /// needs room made (one `lstat` less per entry).
  private var intoEmpty = false
  let state = Locked(State())

  struct State {
    /// Where the first link of each multiply-linked file was written.
    var linked: [[UInt64]: [UInt8]] = [:]
    var report = Report()
  }

  public struct Report: Sendable {
    public var files = 0
    public var directories = 0
    public var links = 0
    public var bytes = 0
    /// Entries the target already had and kept (`--overwrite`).
    public var kept = 0
    public var warnings: [String] = []
  }

  public init(repository: Repository) { self.repository = repository }

  /// Restores the item's tree into `folder`, which exists: empty (a new
  /// restore's `.partial`), or holding files `overwrite` decides about.
  public func restore(_ item: BackupItem, of set: BackupSet, into folder: String) throws -> Report {
    let root = try repository.readTree(try repository.rootTree(of: item, in: set))
    let base = Array(folder.utf8)
    intoEmpty = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty == true
    try restore(root, into: base, relative: [])
    if paths.isEmpty, let itself = root.entry(named: [46]) { try apply(itself, to: base) }
    // One flush for every file written, before the result is called restored.
    let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { throw FileSystem.Failure("open", base) }
    defer { close(fd) }
    guard syncfs(fd) == 0 else { throw FileSystem.Failure("flush the files written under", base) }
    if paths.isEmpty == false {
      let found = state.withLock {
        $0.report.files + $0.report.directories + $0.report.links + $0.report.kept
      }
      if found == 0 {
        throw RestoreError.noSuchPath(
          item: item.name, paths: paths.map { String(decoding: $0, as: UTF8.self) })
      }
    }
    return state.withLock { $0.report }
  }

  /// Whether `relative` is wanted: inside a chosen path, or on the way to one.
  private func wanted(_ relative: [UInt8]) -> (take: Bool, descend: Bool) {
    guard !paths.isEmpty else { return (true, true) }
    for path in paths {
      if relative == path || relative.starts(with: path + [UInt8(ascii: "/")]) { return (true, true) }
      if path.starts(with: relative + [UInt8(ascii: "/")]) { return (false, true) }
    }
    return (false, false)
  }

  private func restore(_ tree: Tree, into folder: [UInt8], relative: [UInt8]) throws {
    var files: [TreeEntry] = []
    var links: [(entry: TreeEntry, first: [UInt8])] = []
    var folders: [(entry: TreeEntry, take: Bool, relative: [UInt8])] = []
    for entry in tree.entries where entry.name != [46] {
      let childRelative = relative.isEmpty ? entry.name : relative + [UInt8(ascii: "/")] + entry.name
      let (take, descend) = wanted(childRelative)
      guard take || (descend && entry.kind == .directory) else { continue }
      let path = FileSystem.join(folder, entry.name)
      if take, entry.kind != .directory, !intoEmpty, try !makeRoom(for: entry, at: path) { continue }
      switch entry.kind {
      case .directory:
        folders.append((entry, take, childRelative))
      case .file:
        if entry.links > 1 {
          let key = [entry.device, entry.inode]
          let first = state.withLock { state -> [UInt8]? in
            if let first = state.linked[key] { return first }
            state.linked[key] = path
            return nil
          }
          if let first {
            links.append((entry, first))
            continue
          }
        }
        files.append(entry)
      case .symlink:
        guard FileSystem.withPath(path, { p in FileSystem.withPath(entry.target) { symlink($0, p) } }) == 0
        else {
          throw FileSystem.Failure("create the symlink", path)
        }
        try apply(entry, to: path)
        state.withLock { $0.report.files += 1 }
      case .fifo, .characterDevice, .blockDevice:
        try makeNode(entry, at: path)
      }
    }
    try writeFiles(files, in: folder)
    for (entry, first) in links {
      let path = FileSystem.join(folder, entry.name)
      guard FileSystem.withPath(first, { f in FileSystem.withPath(path) { link(f, $0) } }) == 0 else {
        throw FileSystem.Failure("link", path)
      }
      state.withLock { $0.report.links += 1 }
    }
    // Folders after this folder's files: the first link of a file is then
    // always written before another folder links to it.
    for (entry, take, childRelative) in folders {
      let path = FileSystem.join(folder, entry.name)
      // An existing folder is restored into: only possible in an existing
      // target (or on the way to a --path).
      guard FileSystem.withPath(path, { mkdir($0, 0o700) }) == 0 || (errno == EEXIST && isFolder(path)) else {
        throw FileSystem.Failure("create the folder", path)
      }
      try restore(try repository.readTree(entry.chunks), into: path, relative: childRelative)
      if take {
        try apply(entry, to: path)
        state.withLock { $0.report.directories += 1 }
      }
    }
  }

  private func makeNode(_ entry: TreeEntry, at path: [UInt8]) throws {
    let type: mode_t = entry.kind == .fifo ? S_IFIFO : entry.kind == .characterDevice ? S_IFCHR : S_IFBLK
    guard entry.kind == .fifo || isRoot else {
      state.withLock {
        $0.report.warnings.append(
          "device node \(String(decoding: path, as: UTF8.self)) not made: only root may")
      }
      return
    }
    guard FileSystem.withPath(path, { mknod($0, type | 0o600, dev_t(entry.rdev)) }) == 0 else {
      throw FileSystem.Failure("create the node", path)
    }
    try apply(entry, to: path)
    state.withLock { $0.report.files += 1 }
  }
}
