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

  static func write(_ fd: Int32, _ data: Data) {
    data.withUnsafeBytes { buffer in
      var done = 0
      while done < buffer.count {
        let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
        if n < 0 && errno == EINTR { continue }
        if n < 0 && errno == EPIPE && fd == 1 { exit(0) }
        guard n > 0 else { return }
        done += n
      }
    }
  }
}
