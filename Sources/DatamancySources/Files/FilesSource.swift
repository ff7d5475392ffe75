import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// Folders, each stored as one POSIX tar stream made by GNU tar: the item keeps
/// modes, owners (numeric), mtimes and symlinks, and `dump` gives a tar any
/// operator can read. Names are sorted and pax headers carry no pid, atime or
/// ctime, so an unchanged folder produces the same bytes and deduplicates fully.
/// A file this user cannot read is left out and named (`TarStream`), never a
/// reason to lose the rest of the folder.
public struct FilesSource: SourcePlanner {
  public var name: String
  public var paths: [String]
  public var exclude: [String]
  public var runner: ProcessRunner

  public init(name: String, paths: [String], exclude: [String], runner: ProcessRunner) {
    self.name = name
    self.paths = paths
    self.exclude = exclude
    self.runner = runner
  }

  /// Item name for a folder: `SOURCE/<last path component>`.
  public static func itemName(source: String, path: String) -> String {
    let last = (path as NSString).lastPathComponent
    return source + "/" + (last.isEmpty || last == "/" ? "root" : last)
  }

  public func items() throws -> [PlannedItem] {
    paths.map { path in
      let argv = Self.tarArguments(path: path, exclude: exclude)
      let runner = self.runner
      let exclude = self.exclude
      return PlannedItem(
        name: Self.itemName(source: name, path: path), source: name, format: .tar,
        estimate: { FolderSize.estimate(path, exclude: exclude) }
      ) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
          throw SourceError.noSuchFolder(path: path)
        }
        let index = try IndexFile()
        let process = try runner.start(
          argv + ["--verbose", "--index-file=" + index.path], environment: ["LC_ALL": "C"],
          captureOutput: true,
          feedInput: false)
        return TarStream(
          ProcessOutputStream(process: process, warnings: [1: "some files changed while they were read"]),
          folder: path, index: index)
      }
    }
  }

  static func tarArguments(path: String, exclude: [String]) -> [String] {
    [
      "tar", "--create", "--file=-", "--format=posix", "--numeric-owner", "--sort=name",
      "--ignore-failed-read",
      "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
    ] + exclude.map { "--exclude=" + $0 } + ["--directory=" + path, "."]
  }
}
