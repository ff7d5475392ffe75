import Foundation
import XCTest

/// A test of the dashboard: a scratch folder with the binary (`cli`), and the
/// `serve` it starts stopped at the end.
class DashboardTestCase: XCTestCase {
  var cli: CLI!

  override func setUpWithError() throws {
    cli = try CLI()
  }

  override func tearDown() {
    cli?.stopServe()
  }

  /// A self-signed certificate for 127.0.0.1 in `cert.pem`, its key in `key.pem`.
  func makeCertificate() throws {
    try cli.shell(
      """
      openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 2>/dev/null
      """)
  }

  /// Starts a dashboard action (`backup`, `verify`, `drill`) as the client's user
  /// and returns the run's page once the run has ended.
  func runAction(_ action: String, _ client: WebClient, _ form: [(String, String)] = []) throws -> String {
    let started = try client.post("/actions/\(action)", [("csrf", try client.csrf())] + form)
    XCTAssertEqual(started.status, 303, started.body)
    return try cli.waitForRun(client, try XCTUnwrap(started.header("location")))
  }
}

/// A TCP connection to 127.0.0.1:`port` that has sent `text` (maybe nothing,
/// half a request, or a request whose answer is never read); the socket is left
/// open. `receiveBuffer`: the socket's receive buffer, small for a client that
/// reads nothing.
func openConnection(_ port: Int, sending text: String, receiveBuffer: Int32? = nil) -> Int32 {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  if var size = receiveBuffer {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
  }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = in_port_t(UInt16(port).bigEndian)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  let connected = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
  XCTAssertEqual(connected, 0, "connect: \(String(cString: strerror(errno)))")
  _ = text.withCString { Glibc.send(fd, $0, strlen($0), 0) }
  return fd
}
