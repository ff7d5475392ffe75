import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// Folders, each stored as a file tree (`TreeScanner`): per-file chunks, one
/// tree object per directory, every attribute a restore needs. A file this user
/// cannot read is left out and named, never a reason to lose the rest.
public struct FilesSource: SourcePlanner {
  public var name: String
  public var settings: FilesSettings

  public init(name: String, settings: FilesSettings) {
    self.name = name
    self.settings = settings
  }

  /// Item name for a folder: `SOURCE/<last path component>`.
  public static func itemName(source: String, path: String) -> String {
    let last = (path as NSString).lastPathComponent
    return source + "/" + (last.isEmpty || last == "/" ? "root" : last)
  }

  public func items() throws -> [PlannedItem] {
    let rules = FileRules(
      exclude: settings.exclude, ifPresent: settings.excludeIfPresent, largerThan: settings.excludeLargerThan,
      oneFileSystem: settings.oneFileSystem)
    let exclude = settings.exclude
    return settings.paths.map { path in
      var item = PlannedItem(
        name: Self.itemName(source: name, path: path), source: name,
        estimate: { FolderSize.estimate(path, exclude: exclude) }
      ) { session, forceReread in
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
          throw SourceError.noSuchFolder(path: path)
        }
        return TreeScanner(session: session, root: path, rules: rules, forceReread: forceReread)
      }
      item.path = URL(fileURLWithPath: path).standardizedFileURL.path
      return item
    }
  }
}
