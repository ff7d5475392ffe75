import Foundation

/// `cpus:`, the CPUs a run may use: a list of numbers (`[0, 1]`), a single number,
/// or the kernel's list notation (`"0-3,6"`, as `taskset -c` and systemd's
/// `CPUAffinity=` take it).
enum CPUList {
  static let limit = 1024

  static func parse(_ node: ConfigNode) throws -> [Int] {
    var cpus: Set<Int> = []
    for text in try node.strings(single: true) {
      for part in text.split(separator: ",", omittingEmptySubsequences: false) {
        let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
          .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(bounds.count), let first = bounds.first!, let last = bounds.last!,
          0 <= first, first <= last, last < limit
        else {
          throw node.error("expected CPU numbers from 0 to \(limit - 1), such as [0, 1] or \"0-3\"")
        }
        cpus.formUnion(first...last)
      }
    }
    guard !cpus.isEmpty else { throw node.error("expected at least one CPU, such as [0]") }
    return cpus.sorted()
  }
}
