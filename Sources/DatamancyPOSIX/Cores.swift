import Foundation

/// The cores this process may use, read once.
public enum Cores {
  /// Foundation's `activeProcessorCount` reads the cgroup's CPU files on every
  /// call (two opens, two reads); asked once per restored file, that was eight
  /// system calls per file. Read at first use, which comes after a configured
  /// `cpus` list confined the process.
  public static let available = ProcessInfo.processInfo.activeProcessorCount
}
