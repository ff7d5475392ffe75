import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// One run of an engine's tool: the argv (in the engine's container when it has
/// one), the environment it needs, and the private files to remove afterwards.
public struct ToolRun: Sendable {
  public var argv: [String]
  public var environment: [String: String]
  public var privateFiles: PrivateFiles?

  public init(argv: [String], environment: [String: String], privateFiles: PrivateFiles? = nil) {
    self.argv = argv
    self.environment = environment
    self.privateFiles = privateFiles
  }
}

/// Builds runs of an engine's tools from a source's connection settings.
public struct EngineTool: Sendable {
  public let connection: Connection
  public let runner: any ProcessRunner
  public let secrets: SecretResolver

  /// `tool` (or its configured path) with `arguments`. In a container the tool runs
  /// through `docker exec -i`, and each variable of `environment` is forwarded by
  /// name (`-e NAME`), so values never appear in argv.
  public func run(
    _ tool: String, _ arguments: [String], environment: [String: String] = [:], files: PrivateFiles? = nil
  )
    -> ToolRun
  {
    let path = connection.tools[tool] ?? tool
    guard let container = connection.container else {
      return ToolRun(argv: [path] + arguments, environment: environment, privateFiles: files)
    }
    let forward = environment.keys.sorted().flatMap { ["-e", $0] }
    return ToolRun(
      argv: ["docker", "exec", "-i"] + forward + [container, path] + arguments, environment: environment,
      privateFiles: files)
  }

  /// The connection's password, if it has one.
  public func password() throws -> String? {
    guard let reference = connection.password else { return nil }
    return try secrets.resolve(reference)
  }

  /// How the password reaches a tool: in a container, through the tool's own
  /// variable (forwarded by name); on this host, through a private 0600 file
  /// holding `content(password)`. Nil without a password.
  func passwordTransport(variable: String, fileName: String, content: (String) -> String) throws
    -> PasswordTransport?
  {
    guard let password = try password() else { return nil }
    if connection.container != nil { return .variable(name: variable, value: password) }
    let files = try PrivateFiles()
    return .file(path: try files.write(fileName, content(password)), files: files)
  }

  /// Starts a run whose standard output is an item.
  public func start(
    _ run: ToolRun, inspector: (any StreamInspector)?, transform: ((any ByteStream) -> any ByteStream)? = nil
  )
    throws -> InspectedStream
  {
    do {
      let process = try runner.start(
        run.argv, environment: run.environment, captureOutput: true, feedInput: false)
      return InspectedStream(
        output: ProcessOutputStream(process: process), inspector: inspector, privateFiles: run.privateFiles,
        transform: transform)
    } catch {
      run.privateFiles?.remove()
      throw error
    }
  }

  /// Runs to the end and returns standard output as text (for listing databases).
  public func capture(_ run: ToolRun) throws -> String {
    defer { run.privateFiles?.remove() }
    return try runner.output(run.argv, environment: run.environment).text
  }
}

/// See `EngineTool.passwordTransport`.
enum PasswordTransport {
  case variable(name: String, value: String)
  case file(path: String, files: PrivateFiles)
}
