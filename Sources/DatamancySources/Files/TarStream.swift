import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// GNU tar's output for one folder. Run with `--ignore-failed-read`, tar stores
/// every file it can read and names each one it cannot on standard error; those
/// become the item's `unreadable` paths (the item is kept, the set is partial),
/// never a failure that would lose the rest of the folder.
final class TarStream: DumpStream {
  let output: ProcessOutputStream
  let folder: String
  /// tar's `--index-file`: the name of each file as it is archived (`--verbose`).
  let index: IndexFile
  private(set) var unreadable: [String] = []

  init(_ output: ProcessOutputStream, folder: String, index: IndexFile) {
    self.output = output
    self.folder = folder
    self.index = index
  }

  var label: String { output.label }
  var fingerprints: [TableFingerprint]? { nil }
  var currentFile: String? { index.lastLine().map { Self.absolute($0, in: folder) } }

  func cancel() {
    output.cancel()
    index.remove()
  }

  var warning: String? {
    guard !unreadable.isEmpty else { return output.warning }
    let shown = unreadable.prefix(20).joined(separator: ", ")
    let more = unreadable.count > 20 ? " and \(unreadable.count - 20) more" : ""
    // Standard error keeps its last 4 KiB: past that, tar named more than we saw.
    let cut = output.process.stderrText.utf8.count >= 4000 ? " (the list may be longer; see the log)" : ""
    let note = "\(unreadable.count) paths could not be read and are not in the backup: \(shown)\(more)\(cut)"
    return [note, output.warning].compactMap { $0 }.joined(separator: "; ")
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let n = try output.read(into: buffer)
    if n == 0 {
      unreadable = Self.unreadable(in: output.process.stderrText, folder: folder)
      index.remove()
    }
    return n
  }

  /// The paths of tar's "Warning: Cannot open/read/stat/…" lines, under `folder`.
  static func unreadable(in stderr: String, folder: String) -> [String] {
    stderr.split(separator: "\n").compactMap { line -> String? in
      guard line.hasPrefix("tar: "), let mark = line.range(of: ": Warning: Cannot ") else { return nil }
      return absolute(String(line[line.index(line.startIndex, offsetBy: 5)..<mark.lowerBound]), in: folder)
    }
  }

  /// tar's `./name` as a path under `folder`.
  static func absolute(_ path: String, in folder: String) -> String {
    let relative = path.hasPrefix("./") ? path.dropFirst(2) : path[...]
    return relative.isEmpty ? folder : (folder.hasSuffix("/") ? folder : folder + "/") + relative
  }
}

/// The file tar names each archived file in, in a private folder. Only its end is
/// ever read; it is emptied as it is read, and tar, writing on at its own offset,
/// leaves a sparse file that takes no space for what was emptied.
final class IndexFile: @unchecked Sendable {
  let files: PrivateFiles
  let path: String

  init() throws {
    files = try PrivateFiles()
    path = try files.write("index", "")
  }

  /// The last complete line written so far.
  func lastLine() -> String? {
    let fd = open(path, O_RDWR | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_size > 0 else { return nil }
    let count = Int(min(info.st_size, 4096))
    var buffer = [UInt8](repeating: 0, count: count)
    guard pread(fd, &buffer, count, off_t(info.st_size) - off_t(count)) == count else { return nil }
    if info.st_size > 1 << 20 { ftruncate(fd, 0) }  // Only a hole remains behind tar's offset.
    let lines = buffer.split(separator: UInt8(ascii: "\n")).filter { !$0.contains(0) }
    let complete = buffer.last == UInt8(ascii: "\n") ? lines.last : lines.dropLast().last
    return complete.map { String(decoding: $0, as: UTF8.self) }
  }

  func remove() { files.remove() }
}
