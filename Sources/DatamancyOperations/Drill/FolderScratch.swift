import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// A private folder for items that are not databases (folders, command output,
/// PostgreSQL globals): the item is restored as `restore --to` would, and the
/// restored bytes (or files) are counted.
public final class FolderScratch: DrillScratch {
  let repository: Repository
  let runner: any ProcessRunner
  private var folder: String?
  private var restored: String?
  private var restoredSet: BackupSet?

  public init(repository: Repository, runner: any ProcessRunner) {
    self.repository = repository
    self.runner = runner
  }

  public var description: String { "folder \(folder ?? "(none)")" }

  public func prepare() throws { folder = try scratchFolder("datamancy-drill-files") }

  public func restore(_ item: BackupItem, of set: BackupSet) throws {
    guard let folder else { return }
    var restorer = ItemRestorer(repository: repository, runner: runner)
    restored = try restorer.restore(item, of: set, into: folder)
    restoredSet = set
  }

  public func check(_ item: BackupItem) throws -> [DrillCheck] {
    guard let restored else { return [] }
    switch item.format {
    case .stream:
      let size = (try FileManager.default.attributesOfItem(atPath: restored)[.size] as? Int) ?? -1
      return [
        DrillCheck(
          table: "bytes", expectedRows: item.rawBytes, foundRows: size, passed: size == item.rawBytes,
          detail: "\(item.rawBytes) bytes at backup, \(size) restored")
      ]
    case .tar:
      let files = FileManager.default.enumerator(atPath: restored)?.allObjects.count ?? 0
      return [
        DrillCheck(
          table: "files", expectedRows: nil, foundRows: files, passed: true,
          detail: "tar extracted the folder to its end: \(files) files and folders")
      ]
    case .tree:
      guard let set = restoredSet else { return [] }
      return [try TreeComparison.check(item, of: set, restoredTo: restored, repository: repository)]
    }
  }

  public func cleanup() throws {
    if let folder { try FileManager.default.removeItem(atPath: folder) }
    folder = nil
  }
}
