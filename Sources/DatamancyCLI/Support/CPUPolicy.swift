import CLinux
import DatamancyConfig
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// How the kernel schedules this process, its threads and every tool it starts
/// (they inherit both settings).
enum CPUPolicy {
  /// A backup is a batch job: SCHED_BATCH, as `chrt -b` or systemd's
  /// `CPUSchedulingPolicy=batch` would set. A batch thread that wakes up does not
  /// preempt the one running; it waits for its turn. On two cores that decided a
  /// backup's pace: pg_dump, woken by the PostgreSQL backend whenever data
  /// arrived, landed on the backend's core and preempted it, slowing the very
  /// server feeding the dump (1.20x the bare dump's time; 1.04x as batch,
  /// docs/benchmarks.md). Other programs on the host gain the same courtesy. Only
  /// backups, where the database is the source: a restore's tools feed the server
  /// and gained nothing from it (8.4-9.2 s against 8.3-8.5 s). Where the kernel
  /// refuses (a seccomp filter), the normal policy stays; a policy chosen from
  /// outside (`chrt`, `CPUSchedulingPolicy=`) is kept.
  static func runAsBatch() {
    _ = forEachThread { datamancy_set_batch($0) }
  }

  /// `cpus:`: confines the process to some CPUs, as `taskset -c` or systemd's
  /// `CPUAffinity=` would. On a small host whose database runs beside the backup,
  /// the database backend feeding the dump is the limit, and a core of its own
  /// helps it; many small databases lose by it (docs/benchmarks.md).
  static func confine(to cpus: [Int], file: String, line: Int?) throws {
    func refuse(_ message: String) -> ConfigError {
      ConfigError(file: file, key: "cpus", line: line, message: message)
    }
    let count = sysconf(Int32(_SC_NPROCESSORS_CONF))
    let missing = cpus.filter { $0 >= count }
    guard missing.isEmpty else {
      let verb = missing.count == 1 ? "is" : "are"
      throw refuse("this host has CPUs 0-\(count - 1); \(text(missing)) \(verb) not among them")
    }
    let numbers = cpus.map { Int32($0) }
    let error = forEachThread { thread in
      numbers.withUnsafeBufferPointer { datamancy_set_affinity(thread, $0.baseAddress, Int32($0.count)) }
    }
    guard error == 0 else {
      throw refuse(
        "the kernel refused CPUs \(text(cpus)) (\(String(cString: strerror(error)))); "
          + "this process may use CPUs \(allowed()) (a container's or service's CPU set limits them)")
    }
  }

  /// Applies `set` to this thread, whose threads and programs started from now on
  /// inherit the setting, and to the threads already running (the runtime's own);
  /// returns the first error, or 0. A thread that ended since the folder was
  /// listed is no longer there (ESRCH), which is no error.
  private static func forEachThread(_ set: (Int32) -> Int32) -> Int32 {
    let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    for thread in [0] + threads.compactMap({ Int32($0) }) {
      let error = set(thread)
      if error != 0 && error != ESRCH { return error }
    }
    return 0
  }

  private static func text(_ cpus: [Int]) -> String {
    cpus.map(String.init).joined(separator: ", ")
  }

  /// `Cpus_allowed_list` of /proc/self/status, such as `0-3`.
  private static func allowed() -> String {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
    return line.map { $0.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces) } ?? "?"
  }
}
