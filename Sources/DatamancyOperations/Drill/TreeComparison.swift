import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Compares a restored folder with the tree it came from: every entry present
/// with its type, every file's size, and its content by chunk ids (the restored
/// bytes cut and named as a backup would; equal ids mean equal content), every
/// symlink's target.
struct TreeComparison {
  let repository: Repository
  var compared = 0
  var differences: [String] = []
  /// Also compare each entry's permission bits, and its owner when running as
  /// root (only root can have restored it): a recovery puts files back as they
  /// were, where a drill only proves their content.
  var metadata = false

  init(repository: Repository) { self.repository = repository }

  /// The comparison of a restored folder as one check of a drill or recovery.
  static func check(
    _ item: BackupItem, of set: BackupSet, restoredTo folder: String, repository: Repository,
    metadata: Bool = false
  ) throws -> DrillCheck {
    var comparison = TreeComparison(repository: repository)
    comparison.metadata = metadata
    try comparison.compare(item, of: set, with: folder)
    let shown = comparison.differences.prefix(5).joined(separator: "; ")
    return DrillCheck(
      table: "files", expectedRows: comparison.compared,
      foundRows: comparison.compared - comparison.differences.count,
      passed: comparison.differences.isEmpty,
      detail: comparison.differences.isEmpty
        ? "\(comparison.compared) entries restored; every file's size and content equal the tree's"
        : "\(comparison.differences.count) of \(comparison.compared) entries differ: \(shown)")
  }

  mutating func compare(_ item: BackupItem, of set: BackupSet, with folder: String) throws {
    try compare(try repository.readTree(try repository.rootTree(of: item, in: set)), Array(folder.utf8), "")
  }

  private mutating func compare(_ tree: Tree, _ folder: [UInt8], _ relative: String) throws {
    for entry in tree.entries where entry.name != [46] {
      let path = FileSystem.join(folder, entry.name)
      let shown = relative + entry.displayName
      compared += 1
      guard let info = try? FileSystem.lstat(path) else {
        differences.append("\(shown): missing")
        continue
      }
      if metadata, let difference = Self.metadataDifference(entry, info) {
        differences.append("\(shown): \(difference)")
      }
      switch entry.kind {
      case .directory:
        guard info.fileType == S_IFDIR else {
          differences.append("\(shown): not a folder")
          continue
        }
        try compare(try repository.readTree(entry.chunks), path, shown + "/")
      case .file:
        guard info.fileType == S_IFREG, UInt64(info.st_size) == entry.size else {
          differences.append("\(shown): \(info.st_size) bytes, \(entry.size) at backup")
          continue
        }
        if try contentIDs(path, entry) != entry.chunks { differences.append("\(shown): content differs") }
      case .symlink:
        if (try? FileSystem.readLink(path, size: entry.target.count)) != entry.target {
          differences.append("\(shown): link target differs")
        }
      case .fifo, .characterDevice, .blockDevice:
        break
      }
    }
  }

  /// How a restored entry's mode or owner differs from the recorded one.
  static func metadataDifference(_ entry: TreeEntry, _ info: stat) -> String? {
    if entry.kind != .symlink, info.st_mode & 0o7777 != entry.mode & 0o7777 {
      return String(format: "mode %o, %o at backup", info.st_mode & 0o7777, entry.mode & 0o7777)
    }
    if geteuid() == 0, info.st_uid != entry.uid || info.st_gid != entry.gid {
      return "owner \(info.st_uid):\(info.st_gid), \(entry.uid):\(entry.gid) at backup"
    }
    return nil
  }

  /// The restored file's data regions cut and named as a backup would.
  private func contentIDs(_ path: [UInt8], _ entry: TreeEntry) throws -> [ChunkID] {
    let fd = FileSystem.withPath(path) { open($0, O_RDONLY | O_CLOEXEC) }
    guard fd >= 0 else { throw FileSystem.Failure("open", path) }
    defer { close(fd) }
    let regions = entry.extents ?? [Extent(offset: 0, length: entry.size)]
    return try repository.chunkIDs(
      of: RegionStream(fd: fd, name: String(decoding: path, as: UTF8.self), regions: regions))
  }
}
