import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// One item's bytes for a reader, as `dump` writes them to its output and the
/// dashboard to a download: the whole item as backed up, or in a folder item one
/// file's bytes or a folder (the item's top included) as a tar stream.
public enum ItemExport: Sendable {
  case whole
  /// A folder inside a folder item, by its path.
  case folder([UInt8])
  case file(TreeEntry)

  /// What `path` names in `item`; the whole item for no path.
  public static func resolve(
    _ path: [UInt8]?, in item: BackupItem, of set: BackupSet, repository: Repository
  ) throws -> ItemExport {
    guard let path else { return .whole }
    let browser = TreeBrowser(repository: repository)
    if try browser.isFolder(path, in: item, of: set) { return .folder(path) }
    return .file(try browser.file(at: path, in: item, of: set))
  }

  /// True when the bytes are a tar stream of a folder.
  public var isFolder: Bool {
    if case .folder = self { return true }
    return false
  }

  /// Writes the bytes to `fd`; `ItemRestorer.OutputClosed` when the reader
  /// stops taking them. `readAhead` bounds the chunks opened ahead of the
  /// reader (`ItemRestorer.readAhead`).
  public func write(
    _ item: BackupItem, of set: BackupSet, from repository: Repository, runner: any ProcessRunner,
    readAhead: Int? = nil, to fd: Int32
  ) throws {
    var restorer = ItemRestorer(repository: repository, runner: runner)
    restorer.readAhead = readAhead
    switch self {
    case .whole: try restorer.write(item, of: set, to: fd)
    case .folder(let path):
      try restorer.write(
        folder: try TreeBrowser(repository: repository).folder(at: path, in: item, of: set), to: fd)
    case .file(let entry): try restorer.write(entry, to: fd)
    }
  }
}
