import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL

/// The HTTP server of `serve`: the dashboard behind its login, `/metrics` and
/// `/health`, over HTTP/1.1 or TLS. A connection idle for `idleTimeout` (a
/// half-sent request, a stalled client) is closed.
public struct WebServer {
  let host: String
  let port: Int
  let dashboard: Dashboard
  let logger: Logger
  var idleTimeout: TimeAmount = .seconds(10)

  public init(host: String, port: Int, dashboard: Dashboard, logger: Logger) {
    self.host = host
    self.port = port
    self.dashboard = dashboard
    self.logger = logger
  }

  /// The TLS 1.2 suites offered, in BoringSSL's names.
  static let cipherSuites = [
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
  ].joined(separator: ":")

  /// `HOST:PORT`, `[IPV6]:PORT`; nil when it is neither.
  public static func address(_ text: String) -> (host: String, port: Int)? {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
      (1...65535).contains(port)
    else { return nil }
    var host = String(text[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    guard !host.isEmpty, !host.contains(" ") else { return nil }
    return (host, port)
  }

  public func makeApplication() throws -> some ApplicationProtocol {
    // HEAD answers as GET does, without the body.
    let router = Router(context: WebContext.self, options: .autoGenerateHeadEndpoints)
    router.middlewares.add(SecurityHeaders(tls: dashboard.settings.tls))
    router.middlewares.add(HostCheck(listening: host, names: dashboard.settings.serve.hosts))
    dashboard.addMetricsRoutes(to: router)
    dashboard.addLoginRoutes(to: router)
    let gated = router.group().add(middleware: Authentication(dashboard: dashboard))
    dashboard.addPageRoutes(to: gated)
    dashboard.addRunRoutes(to: gated)
    dashboard.addDownloadRoutes(to: gated)
    dashboard.addActionRoutes(to: gated)
    let http = HTTP1Channel.Configuration(idleTimeout: idleTimeout)
    let server: HTTPServerBuilder
    if let certificate = dashboard.settings.serve.tlsCertificate, let key = dashboard.settings.serve.tlsKey {
      var tls = TLSConfiguration.makeServerConfiguration(
        certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
        privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
      tls.minimumTLSVersion = .tlsv12
      // Mozilla's "intermediate" profile: TLS 1.2 only with ECDHE (forward secrecy)
      // and AEAD ciphers; no RSA key exchange, no CBC, no SHA-1 MAC. TLS 1.3's
      // suites are all of that kind.
      tls.cipherSuites = Self.cipherSuites
      server = try .tls(.http1(configuration: http), tlsConfiguration: tls)
    } else {
      server = .http1(configuration: http)
    }
    return Application(
      router: router, server: server,
      configuration: .init(address: .hostname(host, port: port), serverName: nil), logger: logger)
  }
}
