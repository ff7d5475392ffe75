import DatamancyPOSIX
import DatamancyRepository
import Foundation

extension ProcessRunner {
  /// Runs `argv` to its end and returns its standard output as text; throws when
  /// the program fails. Standard output passes through `inspector` when given.
  public func output(
    _ argv: [String], environment: [String: String] = [:], inspector: (any StreamInspector)? = nil
  )
    throws -> (text: String, fingerprints: [TableFingerprint]?)
  {
    let process = try start(argv, environment: environment, captureOutput: true, feedInput: false)
    let source = InspectedStream(
      output: ProcessOutputStream(process: process), inspector: inspector, privateFiles: nil)
    let data = try source.readToEnd(keepingAtMost: inspector == nil ? Int.max : 1 << 16)
    return (String(decoding: data, as: UTF8.self), source.fingerprints)
  }
}

extension DumpStream {
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
