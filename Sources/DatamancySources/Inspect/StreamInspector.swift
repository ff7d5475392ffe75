import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// Looks at a dump as it streams past, to tell a complete dump from one cut short
/// and to fingerprint its tables.
public protocol StreamInspector: AnyObject {
  /// Sees the next bytes of the stream.
  func consume(_ bytes: UnsafeRawBufferPointer)
  /// The stream ended; throws when it is not a complete dump. Returns fingerprints.
  func finish() throws -> [TableFingerprint]?
}

/// Why an inspector rejected a dump.
public struct IncompleteDump: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// A tool's output seen by an inspector; the tool's failure wins over the
/// inspector's verdict, which wins over success. Removes the tool's private files
/// (password files) when the stream ends or is cancelled.
public final class InspectedStream: DumpStream {
  private let output: ProcessOutputStream
  /// What is read: the tool's output, or a transformation of it.
  private let stream: any ByteStream
  private let inspector: (any StreamInspector)?
  private var privateFiles: PrivateFiles?
  public private(set) var fingerprints: [TableFingerprint]?
  /// Set by the engine that started the tool, before the stream is read.
  public var recovery: RecoveryFacts?

  public init(
    output: ProcessOutputStream, inspector: (any StreamInspector)?, privateFiles: PrivateFiles?,
    transform: ((any ByteStream) -> any ByteStream)? = nil
  ) {
    self.output = output
    stream = transform?(output) ?? output
    self.inspector = inspector
    self.privateFiles = privateFiles
  }

  deinit { privateFiles?.remove() }

  public var label: String { output.label }
  public var warning: String? { output.warning }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let n: Int
    do {
      n = try stream.read(into: buffer)
    } catch {
      privateFiles?.remove()
      _ = try? inspector?.finish()  // lets a parser thread end
      throw error
    }
    if n > 0 {
      inspector?.consume(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
      return n
    }
    privateFiles?.remove()
    fingerprints = try inspector?.finish()
    return 0
  }

  public func cancel() {
    output.cancel()
    privateFiles?.remove()
    if fingerprints == nil { _ = try? inspector?.finish() }
  }
}
