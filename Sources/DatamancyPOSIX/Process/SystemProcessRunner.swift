import CLinux
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Starts real programs (`datamancy_spawn`: vfork, then exec).
///
/// Every pipe is close-on-exec, so a program inherits only its own
/// standard streams: a dump running beside another never holds the other's pipe
/// open (which would hide the other's end of output).
public struct SystemProcessRunner: ProcessRunner {
  public init() {}

  public func start(
    _ argv: [String], environment: [String: String], captureOutput: Bool, feedInput: Bool
  ) throws -> RunningProcess {
    precondition(!argv.isEmpty)
    // Pipes are made and marked close-on-exec under one lock with the spawn, so no
    // other thread's program can inherit them in between.
    spawnLock.lock()
    defer { spawnLock.unlock() }
    var parentEnds: [Int32] = []
    var childEnds: [Int32] = []
    func pipePair() throws -> (read: Int32, write: Int32) {
      var fds: [Int32] = [0, 0]
      guard pipe(&fds) == 0 else {
        throw ProcessError.spawnFailed(program: argv[0], reason: String(cString: strerror(errno)))
      }
      for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
      return (fds[0], fds[1])
    }
    var (inputFD, childInput): (Int32, Int32) = (-1, -1)
    if feedInput {
      let p = try pipePair()
      (inputFD, childInput) = (p.write, p.read)
      parentEnds.append(p.write)
      childEnds.append(p.read)
    }
    var (outputFD, childOutput): (Int32, Int32) = (-1, -1)
    if captureOutput {
      let p = try pipePair()
      // A 1 MiB pipe (Linux's F_SETPIPE_SZ) lets a tool that writes a few KiB at a
      // time run ahead, and lets us read in large pieces: fewer wake-ups on both sides.
      _ = fcntl(p.read, 1031, 1 << 20)
      (outputFD, childOutput) = (p.read, p.write)
      parentEnds.append(p.read)
      childEnds.append(p.write)
    }
    let errPipe = try pipePair()
    childEnds.append(errPipe.write)

    var merged = ProcessInfo.processInfo.environment
    for (key, value) in environment { merged[key] = value }
    let envStrings = merged.map { "\($0.key)=\($0.value)" }
    // The child leads its own process group (stopping it stops what it started:
    // a shell's pipeline, a wrapper's child), gets default signal handling back
    // (we ignore SIGPIPE and route SIGINT and SIGTERM through a handler, and
    // libdispatch's threads block signals), and dies with us: it is started from
    // the one thread that lives as long as the process (see `SpawnThread`).
    let result = SpawnThread.shared.run {
      withCStrings(argv) { cArgv in
        withCStrings(envStrings) { cEnv in
          datamancy_spawn(argv[0], cArgv, cEnv, childInput, childOutput, errPipe.write)
        }
      }
    }
    for fd in childEnds { close(fd) }
    guard result > 0 else {
      for fd in parentEnds { close(fd) }
      close(errPipe.read)
      if -result == ENOENT { throw ProcessError.notFound(program: argv[0]) }
      throw ProcessError.spawnFailed(program: argv[0], reason: String(cString: strerror(-result)))
    }
    return RunningProcess(
      program: argv[0], pid: result, outputFD: outputFD, inputFD: inputFD, stderrFD: errPipe.read)
  }
}

private let spawnLock = NSLock()

/// Calls `body` with a NULL-terminated C array of the strings.
private func withCStrings<T>(
  _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> T
) -> T {
  var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
  pointers.append(nil)
  defer { for pointer in pointers { free(pointer) } }
  return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
