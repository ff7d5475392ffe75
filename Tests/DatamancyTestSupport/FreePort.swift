import Foundation

/// A TCP port on 127.0.0.1 that nothing listens on, for a test's server.
public enum FreePort {
  /// A port in 20000..<32768, below Linux's ephemeral range (32768 and up): the
  /// kernel never gives one of these to an outgoing connection, so it cannot be
  /// taken between this check and the server's start by a client elsewhere in
  /// the suite (a port the kernel picked for `bind(0)` can). Each call of the
  /// process starts further on, so two servers of one test never get the same.
  public static func next() -> Int {
    let start = counter.withLock { value -> Int in
      value += 97
      return value
    }
    for offset in 0..<12768 {
      let port = 20000 + (start + offset) % 12768
      if isFree(port) { return port }
    }
    fatalError("no free TCP port below 32768 on 127.0.0.1")
  }

  private static let counter = LockedCounter(Int.random(in: 0..<12768))

  static func isFree(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }
}

/// An integer behind a lock.
final class LockedCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Int

  init(_ value: Int) { self.value = value }

  func withLock<T>(_ body: (inout Int) -> T) -> T { lock.withLock { body(&value) } }
}
