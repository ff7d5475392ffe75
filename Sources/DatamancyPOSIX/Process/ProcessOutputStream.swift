import Foundation

/// A program's standard output as a `ByteStream` whose last read fails if the
/// program failed, so a dump that dies midway can never be stored as complete.
public final class ProcessOutputStream: ByteStream {
  public let process: RunningProcess
  private let output: FileDescriptorStream
  /// Exit codes that mean "done, with something to report" (tar's 1: a file changed
  /// while being read), mapped to the warning to record.
  private let warnings: [Int32: String]
  /// Set when the program ended with one of `warnings`' codes.
  public private(set) var warning: String?

  public init(process: RunningProcess, warnings: [Int32: String] = [:]) {
    self.process = process
    self.warnings = warnings
    output = FileDescriptorStream(
      fd: process.outputFD, name: "the output of '\(process.program)'")
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let n = try output.read(into: buffer)
    if n > 0 { return n }
    let outcome = process.wait()
    if case .exited(let code) = outcome, let warning = warnings[code] {
      self.warning = warning + tail
      return 0
    }
    guard outcome.succeeded else {
      throw ProcessError.failed(program: process.program, outcome: outcome, stderr: process.stderrText)
    }
    return 0
  }

  private var tail: String {
    let said = process.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
    return said.isEmpty ? "" : ": " + said
  }
}
