import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Loopback ports for throwaway servers.
enum Loopback {
  /// A TCP port on 127.0.0.1 that nothing listens on right now.
  static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw failure("socket") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
      }
    }
    guard bound else { throw failure("bind") }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  /// Retries `probe` every 0.1 s until it succeeds or `seconds` pass.
  static func waitUntil(seconds: Double, _ probe: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if probe() { return true }
      Thread.sleep(forTimeInterval: 0.1)
    }
    return probe()
  }

  static func failure(_ call: String) -> ProcessError {
    .spawnFailed(program: "a scratch server", reason: "\(call): \(String(cString: strerror(errno)))")
  }
}

/// A folder made by `mkdtemp` for a scratch server or restore.
func scratchFolder(_ prefix: String) throws -> String {
  var template = Array((NSTemporaryDirectory() + prefix + "-XXXXXX").utf8CString)
  guard let made = mkdtemp(&template) else { throw Loopback.failure("mkdtemp") }
  return String(cString: made)
}
