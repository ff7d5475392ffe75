import DatamancyConfig
import DatamancyRepository
import DatamancySources

/// `type: files`: folders stored as file trees, one item per folder.
struct FilesEngine: SourceEngine {
  var type: SourceType { .files }
  /// Trees are read in place; sets from before trees hold tar.
  var contentChecks: [ItemContent: ContentCheck] { [.folder: .tarStream] }

  func planner(_ source: ConfiguredSource<FilesSettings>, context: OperationContext) -> any SourcePlanner {
    FilesSource(name: source.name, settings: source.settings)
  }
}
