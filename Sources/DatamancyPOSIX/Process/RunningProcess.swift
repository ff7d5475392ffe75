import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A started program: its output pipe, its input pipe, its exit.
public final class RunningProcess: @unchecked Sendable {
  public let program: String
  let pid: pid_t
  /// Read end of the program's standard output, or -1.
  public let outputFD: Int32
  /// Write end of the program's standard input, or -1.
  public private(set) var inputFD: Int32
  private let stderrTail: StderrTail
  private var outcome: ProcessOutcome?

  init(program: String, pid: pid_t, outputFD: Int32, inputFD: Int32, stderrFD: Int32) {
    self.program = program
    self.pid = pid
    self.outputFD = outputFD
    self.inputFD = inputFD
    stderrTail = StderrTail(fd: stderrFD)
    Self.live.withLock { _ = $0.insert(pid) }
  }

  deinit {
    if outputFD >= 0 { close(outputFD) }
    closeInput()
  }

  /// Writes all of `data` to the program's standard input.
  public func write(_ data: Data) throws {
    guard FileDescriptor.writeAll(inputFD, data) == 0 else {
      throw ProcessError.failed(
        program: program, outcome: wait(), stderr: "stopped reading its input: \(stderrText)")
    }
  }

  /// Closes standard input, so the program sees the end of its input.
  public func closeInput() {
    if inputFD >= 0 {
      close(inputFD)
      inputFD = -1
    }
  }

  /// Waits for the program to end (once; later calls return the same outcome).
  @discardableResult
  public func wait() -> ProcessOutcome {
    if let outcome { return outcome }
    closeInput()
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return ended(status)
  }

  /// How the program ended, or nil while it runs (does not block).
  public func exited() -> ProcessOutcome? {
    if let outcome { return outcome }
    var status: Int32 = 0
    guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
    closeInput()
    return ended(status)
  }

  private func ended(_ status: Int32) -> ProcessOutcome {
    let result: ProcessOutcome =
      (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
    Self.live.withLock { _ = $0.remove(pid) }
    stderrTail.finish()
    outcome = result
    return result
  }

  /// The end of what the program wrote to standard error (complete after `wait`).
  public var stderrText: String { stderrTail.text }

  /// Waits, and throws `ProcessError.failed` unless the program succeeded.
  public func checkSuccess() throws {
    let outcome = wait()
    guard outcome.succeeded else {
      throw ProcessError.failed(program: program, outcome: outcome, stderr: stderrText)
    }
  }

  /// Sends a signal to the program alone (a server, which stops its own children).
  public func kill(_ signal: Int32 = SIGTERM) { Glibc.kill(pid, signal) }

  /// Stops a tool whose output is no longer wanted: SIGTERM to its whole process
  /// group, so a shell's children go too. Not after it was waited for (the group's
  /// number may then belong to another).
  public func stop() {
    if Self.live.withLock({ $0.contains(pid) }) { Glibc.kill(-pid, SIGTERM) }
  }

  /// Programs started and not yet waited for.
  private static let live = Locked<Set<pid_t>>([])

  /// Stops every program still running (on Ctrl-C or SIGTERM, before we exit).
  public static func stopAll() {
    for pid in live.withLock({ $0 }) { Glibc.kill(-pid, SIGTERM) }
  }
}

/// Keeps the last 4 KiB a program writes to standard error, read on its own thread
/// so a chatty program never blocks on a full pipe.
final class StderrTail: @unchecked Sendable {
  private let lock = NSLock()
  private var bytes: [UInt8] = []
  private let done = DispatchSemaphore(value: 0)
  static let limit = 4096

  init(fd: Int32) {
    Thread.detachNewThread { [self] in
      var buffer = [UInt8](repeating: 0, count: 4096)
      while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        lock.withLock {
          bytes.append(contentsOf: buffer[0..<n])
          if bytes.count > Self.limit { bytes.removeFirst(bytes.count - Self.limit) }
        }
      }
      close(fd)
      done.signal()
    }
  }

  func finish() { done.wait() }

  var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
}
