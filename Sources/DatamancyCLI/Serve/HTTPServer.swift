import DatamancyOperations
import DatamancySources
import Foundation
import Hummingbird
import Logging
import NIOCore

/// `/metrics` and `/health` over HTTP/1.1 (Hummingbird on SwiftNIO): many
/// connections at once, IPv4 and IPv6, and a connection that sends nothing for
/// `idleTimeout` (a half-sent request, a stalled client) is closed.
struct HTTPServer {
  let host: String
  let port: Int
  let status: StatusCache
  let logger: Logger
  var idleTimeout: TimeAmount = .seconds(10)

  /// `HOST:PORT`, `[IPV6]:PORT`; nil when it is neither.
  static func address(_ text: String) -> (host: String, port: Int)? {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
      (1...65535).contains(port)
    else { return nil }
    var host = String(text[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    guard !host.isEmpty, !host.contains(" ") else { return nil }
    return (host, port)
  }

  func makeApplication() -> some ApplicationProtocol {
    let router = Router()
    let status = self.status
    router.get("metrics") { _, _ -> Response in
      switch await status.report() {
      case .success(let report):
        return Self.text(.ok, PrometheusText.render(report), type: "text/plain; version=0.0.4; charset=utf-8")
      case .failure(let error):
        return Self.text(.serviceUnavailable, Self.message(error))
      }
    }
    router.get("health") { _, _ -> Response in
      switch await status.report() {
      case .success(let report) where report.healthy: return Self.text(.ok, "ok\n")
      case .success(let report): return Self.text(.serviceUnavailable, Self.problems(report))
      case .failure(let error): return Self.text(.serviceUnavailable, Self.message(error))
      }
    }
    return Application(
      router: router, server: .http1(configuration: .init(idleTimeout: idleTimeout)),
      configuration: .init(address: .hostname(host, port: port), serverName: nil), logger: logger)
  }

  static func text(_ status: HTTPResponse.Status, _ body: String, type: String = "text/plain; charset=utf-8")
    -> Response
  {
    Response(
      status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: body)))
  }

  static func problems(_ report: StatusReport) -> String {
    let lines =
      report.items.filter { $0.state != .ok }.map { "\($0.item): \($0.state.rawValue)" }
      + (report.lastVerify?.passed == false ? ["last verify failed"] : [])
      + (report.lastDrill?.passed == false ? ["last drill failed"] : [])
    return lines.joined(separator: "\n") + "\n"
  }

  static func message(_ error: Error) -> String {
    (DatamancyBackup.message(for: error)?.text ?? "\(error)") + "\n"
  }
}
