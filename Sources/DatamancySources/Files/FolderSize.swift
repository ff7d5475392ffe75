import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What tar will read from a folder, walked without reading a file: the size of
/// its tar stream (each entry's 512-byte header and pax record, its data padded
/// to 512 bytes) and the number of entries. Names matching an `exclude` pattern
/// are skipped with what is under them, as tar does; what cannot be listed counts
/// as nothing. An estimate, for the progress line only.
enum FolderSize {
  static func estimate(_ path: String, exclude: [String]) -> PlannedItem.Estimate {
    var bytes = 1024  // tar's end-of-archive blocks
    var files = 0
    var folders = [path]
    while let folder = folders.popLast() {
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
      for name in names where !exclude.contains(where: { fnmatch($0, name, 0) == 0 }) {
        let full = folder + "/" + name
        var info = stat()
        guard lstat(full, &info) == 0 else { continue }
        files += 1
        bytes += 1536  // header, pax header, pax record
        if info.st_mode & S_IFMT == S_IFREG {
          bytes += (Int(info.st_size) + 511) / 512 * 512
        } else if info.st_mode & S_IFMT == S_IFDIR {
          folders.append(full)
        }
      }
    }
    return PlannedItem.Estimate(bytes: bytes, files: files)
  }
}
