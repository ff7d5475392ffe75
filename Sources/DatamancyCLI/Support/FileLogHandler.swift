import DatamancyPOSIX
import Foundation
import Logging

/// Appends log lines to a file (`log:` in the configuration), beside standard
/// error: `2026-11-28T02:00:00Z error postgres/grafana failed: ...`.
struct FileLogHandler: LogHandler {
  private let handle: FileHandle
  var logLevel: Logger.Level = .info
  var metadata: Logger.Metadata = [:]

  /// Opens `path` for appending, creating it (0600) if needed.
  init(path: String) throws {
    if !FileManager.default.fileExists(atPath: path) {
      guard
        FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
      else { throw CLIError.usage("log: cannot create the log file '\(path)'") }
    }
    guard let handle = FileHandle(forWritingAtPath: path) else {
      throw CLIError.usage("log: cannot open the log file '\(path)' for writing")
    }
    handle.seekToEndOfFile()
    self.handle = handle
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    let time = UTCTime.format(Date())
    handle.write(Data("\(time) \(event.level) \(event.message)\n".utf8))
  }
}
