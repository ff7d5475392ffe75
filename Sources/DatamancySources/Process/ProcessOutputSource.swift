import DatamancyRepository
import Foundation

/// A program's standard output as a `ByteSource` whose last read fails if the
/// program failed, so a dump that dies midway can never be stored as complete.
public final class ProcessOutputSource: ByteSource {
  public let process: RunningProcess
  private let output: FileDescriptorSource
  /// Exit codes that mean "done, with something to report" (tar's 1: a file changed
  /// while being read), mapped to the warning to record.
  private let warnings: [Int32: String]
  /// Set when the program ended with one of `warnings`' codes.
  public private(set) var warning: String?

  public init(process: RunningProcess, warnings: [Int32: String] = [:]) {
    self.process = process
    self.warnings = warnings
    output = FileDescriptorSource(
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

extension ProcessRunner {
  /// Runs `argv` to its end and returns its standard output as text; throws when
  /// the program fails. Standard output passes through `inspector` when given.
  public func output(_ argv: [String], environment: [String: String] = [:], inspector: StreamInspector? = nil)
    throws -> (text: String, fingerprints: [TableFingerprint]?)
  {
    let process = try start(argv, environment: environment, captureOutput: true, feedInput: false)
    let source = InspectedSource(
      output: ProcessOutputSource(process: process), inspector: inspector, privateFiles: nil)
    let data = try source.readToEnd(keepingAtMost: inspector == nil ? Int.max : 1 << 16)
    return (String(decoding: data, as: UTF8.self), source.fingerprints)
  }
}

extension ItemSource {
  /// Reads to the end (so the tool's verdict and the fingerprints are known),
  /// keeping the first `limit` bytes; stops the tool when reading fails.
  public func readToEnd(keepingAtMost limit: Int) throws -> Data {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    do {
      while true {
        let n = try buffer.withUnsafeMutableBytes { try read(into: $0) }
        if n == 0 { return data }
        if data.count < limit { data.append(contentsOf: buffer[0..<min(n, limit - data.count)]) }
      }
    } catch {
      cancel()
      throw error
    }
  }
}
