import DatamancyOperations
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/metrics` and `/health`: open to loopback clients, and to others only with
/// `serve.metrics_token` as a bearer token.
extension Dashboard {
  func addMetricsRoutes(to router: Router<WebContext>) {
    router.get("metrics") { [self] request, context in
      try checkMetricsAccess(request, context)
      switch await cache.snapshot() {
      case .success(let snapshot):
        return Responses.text(
          .ok, PrometheusText.render(snapshot.status), type: "text/plain; version=0.0.4; charset=utf-8")
      case .failure(let error): return Responses.text(.serviceUnavailable, describe(error) + "\n")
      }
    }
    router.get("health") { [self] request, context in
      try checkMetricsAccess(request, context)
      switch await cache.snapshot() {
      case .success(let snapshot) where snapshot.status.healthy: return Responses.text(.ok, "ok\n")
      case .success(let snapshot): return Responses.text(.serviceUnavailable, Self.problems(snapshot.status))
      case .failure(let error): return Responses.text(.serviceUnavailable, describe(error) + "\n")
      }
    }
    router.get("static/style.css") { _, _ in
      var response = Responses.text(.ok, StaticAssets.style, type: "text/css; charset=utf-8")
      response.headers[.cacheControl] = "max-age=3600"
      return response
    }
    router.get("static/icon.svg") { _, _ in
      var response = Responses.text(.ok, StaticAssets.icon, type: "image/svg+xml")
      response.headers[.cacheControl] = "max-age=86400"
      return response
    }
    router.get("favicon.ico") { _, _ in Response(status: .noContent) }
    router.get("static/app.js") { _, _ in
      var response = Responses.text(.ok, StaticAssets.script, type: "text/javascript; charset=utf-8")
      response.headers[.cacheControl] = "max-age=3600"
      return response
    }
  }

  func checkMetricsAccess(_ request: Request, _ context: WebContext) throws {
    if let token = settings.metricsToken {
      // The scheme's name is case-insensitive (RFC 9110, 11.1); the token is not.
      let given = (request.headers[.authorization] ?? "").split(separator: " ", maxSplits: 1)
      let bearer = given.count == 2 && given[0].lowercased() == "bearer"
      let presented = bearer ? Array(given[1].trimmingCharacters(in: .whitespaces).utf8) : []
      guard bearer, PasswordHash.constantTimeEqual(presented, Array(token.utf8)) else {
        var refusal = Refusal(.unauthorized, "This needs serve.metrics_token as a bearer token.")
        refusal.headers[.wwwAuthenticate] = "Bearer"
        throw refusal
      }
      return
    }
    guard let peer = context.remoteAddress?.ipAddress, AddressRange.isLoopback(peer) else {
      throw Refusal(
        .forbidden, "/metrics and /health answer loopback clients; set serve.metrics_token for others.")
    }
  }

  static func problems(_ report: StatusReport) -> String {
    let lines =
      report.items.filter { $0.state != .ok }.map { "\($0.item): \($0.state.rawValue)" }
      + (report.lastVerify?.passed == false ? ["last verify failed"] : [])
      + (report.lastDrill?.passed == false ? ["last drill failed"] : [])
      + (report.lastPrune?.passed == false ? ["last prune failed"] : [])
      + report.lastCopies.filter { !$0.passed }.map { "last copy to \($0.target ?? "?") failed" }
      + report.wal.filter { !$0.healthy }.map { "WAL \($0.source): not healthy" }
    return lines.joined(separator: "\n") + "\n"
  }
}
