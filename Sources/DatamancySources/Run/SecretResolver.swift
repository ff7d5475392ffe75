import DatamancyConfig
import DatamancyPOSIX
import Foundation

/// Reads secrets from where the configuration says they are. Messages name the
/// reference (the variable, file or program), never the secret.
public struct SecretResolver: Sendable {
  public var environment: [String: String]
  public var runner: any ProcessRunner

  public init(environment: [String: String], runner: any ProcessRunner) {
    self.environment = environment
    self.runner = runner
  }

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  public func resolve(_ reference: SecretReference) throws -> String {
    switch reference {
    case .env(let name):
      guard let value = variable(name) else { throw Failure(description: "the \(reference) is not set") }
      guard !value.isEmpty else { throw Failure(description: "the \(reference) is set but empty") }
      return value
    case .file(let path):
      guard let data = FileManager.default.contents(atPath: path) else {
        throw Failure(description: "the \(reference) cannot be read")
      }
      return Self.trimmed(data)
    case .command(let argv):
      do {
        let process = try runner.start(argv, environment: [:], captureOutput: true, feedInput: false)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let source = ProcessOutputStream(process: process)
        while true {
          let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
          if n == 0 { break }
          data.append(contentsOf: buffer[0..<n])
        }
        return Self.trimmed(data)
      } catch {
        throw Failure(description: "the secret \(reference) failed: \(error)")
      }
    }
  }

  /// The folder of credential files systemd gives a unit (`LoadCredential=`), and
  /// the cron file names.
  public static let credentialsVariable = "CREDENTIALS_DIRECTORY"

  /// An environment variable's value. A run that a timer or cron started has no
  /// shell environment: it finds the variable as a credential file of that name
  /// (`schedule install` writes them), trimmed like any secret file.
  public func variable(_ name: String) -> String? {
    environment[name] ?? credential(name)
  }

  /// The credential file `name` under CREDENTIALS_DIRECTORY, trimmed; nil without one.
  public func credential(_ name: String) -> String? {
    guard let folder = environment[Self.credentialsVariable],
      let data = FileManager.default.contents(atPath: folder + "/" + name)
    else { return nil }
    return Self.trimmed(data)
  }

  /// A secret file's or command's text without its trailing line ends (`\n`,
  /// `\r\n`): the one rule for every secret read from a file.
  public static func trimmed(_ data: Data) -> String {
    // Bytes, not characters: to Swift, "\r\n" is one character, neither "\n" nor "\r".
    var end = data.endIndex
    while end > data.startIndex, [0x0A, 0x0D].contains(data[end - 1]) { end -= 1 }
    return String(decoding: data[data.startIndex..<end], as: UTF8.self)
  }
}
