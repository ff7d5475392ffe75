import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Starts real programs with `posix_spawnp`.
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
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
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
    var outputFD: Int32 = -1
    var inputFD: Int32 = -1
    if feedInput {
      let p = try pipePair()
      posix_spawn_file_actions_adddup2(&actions, p.read, 0)
      inputFD = p.write
      parentEnds.append(p.write)
      childEnds.append(p.read)
    } else {
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }
    if captureOutput {
      let p = try pipePair()
      // A 1 MiB pipe (Linux's F_SETPIPE_SZ) lets a tool that writes a few KiB at a
      // time run ahead, and lets us read in large pieces: fewer wake-ups on both sides.
      _ = fcntl(p.read, 1031, 1 << 20)
      posix_spawn_file_actions_adddup2(&actions, p.write, 1)
      outputFD = p.read
      parentEnds.append(p.read)
      childEnds.append(p.write)
    } else {
      posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    }
    let errPipe = try pipePair()
    posix_spawn_file_actions_adddup2(&actions, errPipe.write, 2)
    childEnds.append(errPipe.write)

    // Children get default signal handling back: we ignore SIGPIPE and route SIGINT
    // and SIGTERM through a handler ourselves, and the spawning thread may block
    // signals (libdispatch's workers do), which the child would inherit, ignoring
    // our SIGTERM.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for number in [SIGPIPE, SIGINT, SIGTERM] { sigaddset(&defaults, number) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    posix_spawnattr_setsigmask(&attributes, &unblocked)
    // Each program leads its own process group, so stopping it stops what it
    // started too (a shell's pipeline, a wrapper's child), and nothing is left
    // holding its pipes open.
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

    var merged = ProcessInfo.processInfo.environment
    for (key, value) in environment { merged[key] = value }
    let envStrings = merged.map { "\($0.key)=\($0.value)" }
    var pid: pid_t = 0
    let status = withCStrings(argv) { cArgv in
      withCStrings(envStrings) { cEnv in
        posix_spawnp(&pid, argv[0], &actions, &attributes, cArgv, cEnv)
      }
    }
    for fd in childEnds { close(fd) }
    guard status == 0 else {
      for fd in parentEnds { close(fd) }
      close(errPipe.read)
      if status == ENOENT { throw ProcessError.notFound(program: argv[0]) }
      throw ProcessError.spawnFailed(program: argv[0], reason: String(cString: strerror(status)))
    }
    return RunningProcess(
      program: argv[0], pid: pid, outputFD: outputFD, inputFD: inputFD, stderrFD: errPipe.read)
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
