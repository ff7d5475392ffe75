import DatamancyPOSIX
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes to standard output and error. A reader that went away (`| head`) ends
/// the command quietly with success instead of a crash: what was asked for was
/// shown up to where it was wanted.
enum Console {
  static func out(_ text: String) { write(1, Data(text.utf8)) }
  static func out(_ data: Data) { write(1, data) }
  static func error(_ text: String) { write(2, Data(text.utf8)) }

  /// Colours on standard output: on a terminal, unless NO_COLOR is set (no-color.org).
  static var colour: Bool {
    isatty(1) != 0 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
  }

  static func write(_ fd: Int32, _ data: Data) {
    // A closed standard output (`| head`) ends the command quietly.
    if FileDescriptor.writeAll(fd, data) == EPIPE && fd == 1 { exit(0) }
  }
}
