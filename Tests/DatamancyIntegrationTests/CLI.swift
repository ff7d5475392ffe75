import DatamancyPOSIX
import DatamancyRepository
import Foundation
import XCTest

/// Runs the built `datamancy-backup` binary in a scratch folder with its own
/// configuration, the way an operator would.
final class CLI {
  let folder: String
  let password = "integration-Pa55word"
  var environment: [String: String]

  /// The binary: $DATAMANCY_BACKUP_BIN, else the package's release build.
  static var binary: String {
    if let path = ProcessInfo.processInfo.environment["DATAMANCY_BACKUP_BIN"] { return path }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    return root.appendingPathComponent(".build/release/datamancy-backup").path
  }

  init() throws {
    // A missing binary fails the test; it never skips.
    guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
      throw MissingBinary(path: Self.binary)
    }
    folder = NSTemporaryDirectory() + "datamancy-it-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    ScratchFolders.shared.add(folder)
    environment = ProcessInfo.processInfo.environment
    environment["DATAMANCY_BACKUP_PASSWORD"] = password
  }

  struct MissingBinary: Error, CustomStringConvertible {
    var path: String
    var description: String { "\(path) is missing: run 'swift build -c release' (scripts/test does)" }
  }

  deinit { try? FileManager.default.removeItem(atPath: folder) }

  var repository: String { folder + "/repo" }

  /// Writes `datamancy-backup.yml` with the repository and these sources (YAML).
  func configure(sources: String, extra: String = "") throws {
    let text = """
      repository:
        path: \(repository)
      \(extra)
      sources:
      \(sources)
      """
    try text.write(toFile: folder + "/datamancy-backup.yml", atomically: true, encoding: .utf8)
  }

  /// `init` with cheap key derivation and small packs.
  func initialize(_ extra: [String] = []) throws {
    let result = run(["init", "--kdf-cost", "1024"] + extra)
    XCTAssertEqual(result.status, 0, result.stderr)
  }

  struct Result {
    var status: Int32
    var stdout: Data
    var stderr: String
    /// Ended by a signal (a crash, or the kill after `timeout`).
    var signaled = false
    /// Still running after `timeout`, and killed.
    var timedOut = false
    var text: String { String(decoding: stdout, as: UTF8.self) }
  }

  /// Runs the binary to completion in `folder`.
  /// With `timeout`, a run that lasts longer is killed and marked `timedOut`.
  @discardableResult
  func run(_ arguments: [String], environment extra: [String: String] = [:], timeout: Double? = nil)
    -> Result
  {
    let process = start(arguments, environment: extra)
    let watchdog = Locked(false)
    if let timeout {
      DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
        if process.isRunning {
          watchdog.value = true
          kill(process.processIdentifier, SIGKILL)
        }
      }
    }
    let stdout = (process.standardOutput as! Pipe).fileHandleForReading
    let stderr = (process.standardError as! Pipe).fileHandleForReading
    // Drain standard error on another thread so neither pipe fills up.
    let group = DispatchGroup()
    let box = DataBox()
    DispatchQueue.global().async(group: group) { box.data = stderr.readDataToEndOfFile() }
    let outputData = stdout.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    let result = Result(
      status: process.terminationStatus, stdout: outputData,
      stderr: String(decoding: box.data, as: UTF8.self),
      signaled: process.terminationReason == .uncaughtSignal, timedOut: watchdog.value)
    Self.assertNoRawFoundationError(result.text + result.stderr, "\(arguments.joined(separator: " "))")
    return result
  }

  /// Every command of the suite, failing ones above all, speaks in sentences:
  /// Foundation's own error text (`Error Domain=NSCocoaErrorDomain Code=513 …
  /// UserInfo={…}`) never reaches an operator.
  static func assertNoRawFoundationError(
    _ output: String, _ what: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    for raw in ["NSCocoaErrorDomain", "Error Domain=", "UserInfo="] where output.contains(raw) {
      XCTFail("\(what) printed Foundation's raw error text (\(raw)):\n\(output)", file: file, line: line)
    }
  }

  /// Starts the binary (or `executable`) and returns at once (for tests that kill it).
  func start(
    _ arguments: [String], environment extra: [String: String] = [:], executable: String = CLI.binary
  ) -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    process.environment = environment.merging(extra) { $1 }
    process.standardOutput = Pipe()
    process.standardError = Pipe()
    try! process.run()
    return process
  }

  /// Starts the binary with `arguments`, sends it SIGKILL after a random delay in
  /// `delays`, and waits for it; `killed` is false when it had already ended.
  func killWhileRunning(_ arguments: [String], after delays: ClosedRange<Double>) -> (
    killed: Bool, delay: Double
  ) {
    let process = start(arguments)
    let delay = Double.random(in: delays)
    Thread.sleep(forTimeInterval: delay)
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    return (process.terminationReason == .uncaughtSignal, delay)
  }

  /// Waits for an event that `probe` observes (a line in a log, a file, a
  /// process), checking every 50 ms; fails with `what` when it has not happened
  /// within `timeout` seconds, a bound that catches a hang, not a slow machine.
  func waitFor(_ what: String, timeout: Double = 120, _ probe: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if try probe() { return }
      Thread.sleep(forTimeInterval: 0.05)  // the poll's interval, not a guess at when it happens
    }
    if try probe() { return }
    throw NSError(
      domain: "wait", code: 1, userInfo: [NSLocalizedDescriptionKey: "waited \(timeout) s for \(what)"])
  }

  /// Lock files in the repository now (none while its `locks/` folder does not exist).
  func lockFiles() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: repository + "/locks"))?.count ?? 0
  }

  /// Runs `bash -c script` (with pipefail) in `folder`, with the CLI's
  /// environment; returns its standard output, and throws if it fails.
  @discardableResult
  func shell(_ script: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-o", "pipefail", "-c", script]
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw NSError(
        domain: "shell", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: script])
    }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Runs `bash -c script` with no pipes (standard streams to /dev/null) and waits
  /// for its exit status only: for scripts that start daemons, which may inherit
  /// and keep a pipe open for ever.
  func shellWithoutOutput(_ script: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    // Close every inherited descriptor first: a daemon keeping the one this
    // process watches for the child's exit would make the wait last for ever.
    let closeInherited = """
      for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && [ "$n" != 255 ] && eval "exec $n>&-"; done 2>/dev/null
      """
    process.arguments = ["-o", "pipefail", "-c", closeInherited + "\n" + script]
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    process.environment = environment
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw NSError(
        domain: "shell", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: script])
    }
  }

  /// Writes `count` pseudo-random bytes (AES-CTR keystream of `seed`) to `path`.
  func randomFile(_ path: String, count: Int, seed: String = "datamancy") throws {
    try shell(
      "head -c \(count) /dev/zero | openssl enc -aes-128-ctr -nosalt -pass pass:\(seed) 2>/dev/null > \(path)"
    )
  }

  /// Changes one byte of a file (relative to the folder) at `offset`: the byte is
  /// inverted, so the file always differs afterwards (writing a fixed byte leaves
  /// it unchanged when that byte was already there).
  func flipByte(_ path: String, at offset: UInt64) throws {
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: folder + "/" + path))
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    let byte = try XCTUnwrap(
      try handle.read(upToCount: 1)?.first, "\(path) is shorter than \(offset + 1) bytes")
    try handle.seek(toOffset: offset)
    try handle.write(contentsOf: [~byte])
  }

  /// The sets, as `snapshots --json` lists them. Output of another shape throws:
  /// it is never read as an empty list.
  func sets() throws -> [[String: Any]] {
    let result = run(["snapshots", "--json"])
    XCTAssertEqual(result.status, 0, result.stderr)
    return try Self.setList(result.stdout)
  }

  /// Parses `snapshots --json`: an array of sets, each with an id and a status.
  static func setList(_ json: Data) throws -> [[String: Any]] {
    guard let sets = try? JSONSerialization.jsonObject(with: json) as? [[String: Any]],
      sets.allSatisfy({ $0["id"] is String && $0["status"] is String })
    else {
      throw WrongShape(text: String(decoding: json.prefix(300), as: UTF8.self))
    }
    return sets
  }

  struct WrongShape: Error, CustomStringConvertible {
    var text: String
    var description: String { "snapshots --json printed no list of sets: \(text)" }
  }
}

private final class DataBox: @unchecked Sendable {
  var data = Data()
}

/// Removes every test's scratch folder when the test ends. XCTest keeps a test
/// case (and what its teardown blocks hold, such as its `CLI`) alive until the
/// whole run ends, so `deinit` alone left gigabytes of repositories in /tmp.
final class ScratchFolders: NSObject, XCTestObservation, @unchecked Sendable {
  static let shared: ScratchFolders = {
    let folders = ScratchFolders()
    XCTestObservationCenter.shared.addTestObserver(folders)
    return folders
  }()
  private let lock = NSLock()
  private var folders: [String] = []

  func add(_ folder: String) { lock.withLock { folders.append(folder) } }

  /// Runs after the test's teardown blocks (which stop its servers).
  func testCaseDidFinish(_ testCase: XCTestCase) {
    for folder in lock.withLock({ () -> [String] in
      defer { folders.removeAll() }
      return folders
    }) {
      try? FileManager.default.removeItem(atPath: folder)
    }
  }
}
