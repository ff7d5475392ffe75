import DatamancyConfig
import DatamancyRepository
import DatamancySources
import Foundation

/// `type: files`: folders stored as file trees, one item per folder.
struct FilesEngine: SourceEngine {
  var type: SourceType { .files }
  /// Trees are read in place; sets from before trees hold tar.
  var contentChecks: [ItemContent: ContentCheck] { [.folder: .tarStream] }

  func planner(_ source: ConfiguredSource<FilesSettings>, context: OperationContext) -> any SourcePlanner {
    FilesSource(name: source.name, settings: source.settings)
  }

  /// Back to the folder's original path (under `--to DIR` when given).
  func recovery(of item: BackupItem, in source: ConfiguredSource<FilesSettings>, context: RecoveryContext)
    -> Recovery
  {
    guard item.format == .tree, let path = item.path else {
      return .unsupported(
        "the set does not record the folder's original path (it predates that); "
          + "write it out with 'restore --item \(item.name) --to DIR'")
    }
    let root = context.folderRoot.map { ($0 as NSString).standardizingPath } ?? ""
    return .target(.data, FolderRecoveryTarget(path: root + path, context: context))
  }

  func standIn(for source: ConfiguredSource<FilesSettings>, context: OperationContext) -> StandIn { .folder }
}
