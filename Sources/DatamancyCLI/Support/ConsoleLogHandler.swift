import Logging

/// The terminal's log handler: erases the progress line before each log line, so
/// the two never share a line.
struct ConsoleLogHandler: LogHandler {
  var inner: StreamLogHandler

  init(_ inner: StreamLogHandler) { self.inner = inner }

  var logLevel: Logger.Level {
    get { inner.logLevel }
    set { inner.logLevel = newValue }
  }

  var metadata: Logger.Metadata {
    get { inner.metadata }
    set { inner.metadata = newValue }
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { inner[metadataKey: key] }
    set { inner[metadataKey: key] = newValue }
  }

  func log(event: LogEvent) {
    Progress.clearLine()
    inner.log(event: event)
  }
}
