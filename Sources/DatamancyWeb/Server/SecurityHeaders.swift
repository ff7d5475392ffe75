import HTTPTypes
import Hummingbird
import NIOCore

/// Headers on every answer, errors included: scripts, styles and images only from
/// this server (no inline script, no CDN), never framed, no content sniffing, no
/// caching of pages, and HSTS under TLS.
struct SecurityHeaders: RouterMiddleware {
  typealias Context = WebContext
  let tls: Bool

  static let policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

  func handle(
    _ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response
  ) async throws -> Response {
    var response: Response
    do {
      response = try await next(request, context)
    } catch let error as any HTTPResponseError {
      response = try error.response(from: request, context: context)
    }
    response.headers[HTTPField.Name("Content-Security-Policy")!] = Self.policy
    response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
    response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
    // Not no-referrer: under it browsers send `Origin: null` with forms, and the
    // origin check could not tell our own forms from anyone's.
    response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
    if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
    if tls { response.headers[HTTPField.Name("Strict-Transport-Security")!] = "max-age=31536000" }
    return response
  }
}
