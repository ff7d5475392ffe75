import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A small HTTP/1.0 server for `/metrics` and `/health`: one request per
/// connection, answered in turn. Enough for a Prometheus scraper and a health
/// probe; it serves nothing else.
final class MetricsServer {
  struct Response {
    var status: Int
    var contentType = "text/plain; charset=utf-8"
    var body: String
  }

  private let fd: Int32
  let port: Int

  /// Listens on `host:port` (an IPv4 address).
  init(host: String, port: Int) throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw Self.failure("socket", host, port) }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
      close(fd)
      throw CLIError.usage("--listen: '\(host)' is not an IPv4 address")
    }
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(fd, 16) == 0 else {
      let error = Self.failure("listen", host, port)
      close(fd)
      throw error
    }
    self.fd = fd
    self.port = port
  }

  static func failure(_ call: String, _ host: String, _ port: Int) -> CLIError {
    .usage("cannot \(call) on \(host):\(port): \(String(cString: strerror(errno)))")
  }

  /// Answers requests for ever.
  func serve(_ handle: (String) -> Response) -> Never {
    while true {
      let client = accept(fd, nil, nil)
      guard client >= 0 else { continue }
      var timeout = timeval(tv_sec: 5, tv_usec: 0)
      setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
      let path = Self.readPath(client)
      let response = path.map(handle) ?? Response(status: 400, body: "bad request\n")
      let reason =
        [200: "OK", 400: "Bad Request", 404: "Not Found", 503: "Service Unavailable"][response.status] ?? "OK"
      let body = Data(response.body.utf8)
      let head =
        "HTTP/1.0 \(response.status) \(reason)\r\nContent-Type: \(response.contentType)\r\n"
        + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
      (Data(head.utf8) + body).withUnsafeBytes { buffer in
        var done = 0
        while done < buffer.count {
          let n = send(client, buffer.baseAddress! + done, buffer.count - done, Int32(MSG_NOSIGNAL))
          if n <= 0 { break }
          done += n
        }
      }
      close(client)
    }
  }

  /// The path of a `GET` request, or nil.
  static func readPath(_ client: Int32) -> String? {
    var request = Data()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while request.count < 16384, !request.contains(Data("\r\n\r\n".utf8)) {
      let n = recv(client, &buffer, buffer.count, 0)
      guard n > 0 else { break }
      request.append(contentsOf: buffer[0..<n])
    }
    let line = String(decoding: request.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self).split(
      separator: " ")
    guard line.count >= 2, line[0] == "GET" else { return nil }
    return String(line[1].split(separator: "?", maxSplits: 1)[0])
  }
}

extension Data {
  func contains(_ other: Data) -> Bool { range(of: other) != nil }
}
