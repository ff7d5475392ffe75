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
  private(set) var unreadable: [String] = []

  init(_ output: ProcessOutputStream, folder: String) {
    self.output = output
    self.folder = folder
  }

  var label: String { output.label }
  var fingerprints: [TableFingerprint]? { nil }
  func cancel() { output.cancel() }

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
    if n == 0 { unreadable = Self.unreadable(in: output.process.stderrText, folder: folder) }
    return n
  }

  /// The paths of tar's "Warning: Cannot open/read/stat/…" lines, under `folder`.
  static func unreadable(in stderr: String, folder: String) -> [String] {
    stderr.split(separator: "\n").compactMap { line -> String? in
      guard line.hasPrefix("tar: "), let mark = line.range(of: ": Warning: Cannot ") else { return nil }
      let path = line[line.index(line.startIndex, offsetBy: 5)..<mark.lowerBound]
      let relative = path.hasPrefix("./") ? path.dropFirst(2) : path[...]
      return relative.isEmpty ? folder : (folder.hasSuffix("/") ? folder : folder + "/") + relative
    }
  }
}
