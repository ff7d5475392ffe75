import CSched
import DatamancyConfig
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `cpus:`: confines this process, its threads and every tool it starts (they
/// inherit it) to some CPUs, as `taskset -c` or systemd's `CPUAffinity=` would.
///
/// On a small host whose database runs beside the backup, the database backend
/// feeding the dump is the limit; left a core of its own, a backup of one large
/// PostgreSQL database took 1.06x the time of the bare dump instead of 1.22x on two
/// cores (docs/benchmarks.md). Many small databases lose by it (1.18x slower).
enum CPUAffinity {
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
    // The threads already running (the runtime's own) and this one, whose threads
    // and programs started from now on inherit the setting.
    let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    let numbers = cpus.map { Int32($0) }
    for thread in [0] + threads.compactMap({ Int32($0) }) {
      let error = numbers.withUnsafeBufferPointer {
        datamancy_set_affinity(thread, $0.baseAddress, Int32($0.count))
      }
      // A thread that ended since the folder was listed is no longer there: ESRCH.
      guard error == 0 || error == ESRCH else {
        throw refuse(
          "the kernel refused CPUs \(text(cpus)) (\(String(cString: strerror(error)))); "
            + "this process may use CPUs \(allowed()) (a container's or service's CPU set limits them)")
      }
    }
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
