import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What a backup of a folder will go through, walked without reading a file: its
/// files' sizes and the number of entries. Names matching an `exclude` pattern
/// are skipped with what is under them; what cannot be listed counts as
/// nothing. An estimate, for the progress line only.
enum FolderSize {
  static func estimate(_ path: String, exclude: [String]) -> PlannedItem.Estimate {
    var bytes = 0
    var files = 0
    var folders = [path]
    while let folder = folders.popLast() {
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
      for name in names where !exclude.contains(where: { fnmatch($0, name, 0) == 0 }) {
        let full = folder + "/" + name
        var info = stat()
        guard lstat(full, &info) == 0 else { continue }
        files += 1
        if info.st_mode & S_IFMT == S_IFREG {
          bytes += Int(info.st_size)
        } else if info.st_mode & S_IFMT == S_IFDIR {
          folders.append(full)
        }
      }
    }
    return PlannedItem.Estimate(bytes: bytes, files: files)
  }
}
