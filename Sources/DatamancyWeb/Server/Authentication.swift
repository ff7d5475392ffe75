import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The gate of every page behind the login: finds the visitor (a session cookie,
/// or a trusted proxy's `Remote-User`), sends everyone else to `/login`, and
/// checks every POST's token and origin.
struct Authentication: RouterMiddleware {
  typealias Context = WebContext
  let dashboard: Dashboard

  func handle(
    _ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response
  ) async throws -> Response {
    var context = context
    var cookies: [String] = []
    let proxied = dashboard.proxiedUser(request, context: context)
    if let visitor = dashboard.sessionVisitor(request, proxied: proxied),
      proxied == nil || proxied == visitor.user
    {
      context.visitor = visitor
    } else if let (visitor, cookie) = try dashboard.proxyVisitor(request, context: context) {
      context.visitor = visitor
      cookies.append(cookie)
    } else if request.method == .get || request.method == .head {
      return Responses.redirect("/login")
    } else {
      throw Refusal(.unauthorized, "Log in first.")
    }
    var request = request
    if request.method == .post {
      try dashboard.checkOrigin(request, context: context)
      // The token comes from the header or, for forms, from the body: read the
      // body once (the request keeps it for the route).
      let form = Form(String(buffer: try await request.collectBody(upTo: context.maxUploadSize)))
      let token = request.headers[HTTPField.Name("X-CSRF-Token")!] ?? form["csrf"] ?? ""
      guard PasswordHash.constantTimeEqual(Array(token.utf8), Array(context.visitor!.csrf.utf8)) else {
        throw Refusal(
          .forbidden, "This form has expired or did not come from this dashboard; reload the page.")
      }
    }
    var response = try await next(request, context)
    for cookie in cookies { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
    return response
  }
}

extension Dashboard {
  static let sessionCookie = "dmb_session"
  static let loginCookie = "dmb_login"

  func cookieValue(_ request: Request, _ name: String) -> String? {
    for header in request.headers[values: .cookie] {
      for part in header.split(separator: ";") {
        let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
        if pair.count == 2, pair[0] == name { return String(pair[1]) }
      }
    }
    return nil
  }

  /// The session's visitor, with the role the users file gives now: a removed
  /// user's session ends at its next request (proxy users are not in the file).
  /// A session a trusted proxy started is valid only through it, for the user it
  /// names (`proxied`): its cookie alone, sent past the proxy, is refused.
  func sessionVisitor(_ request: Request, proxied: String?) -> Visitor? {
    guard let id = cookieValue(request, Self.sessionCookie), let session = sessions.session(id, now: now())
    else { return nil }
    var role = session.role
    if session.proxied {
      guard proxied == session.user else { return nil }
    } else {
      guard let user = users.current().first(where: { $0.name == session.user }), user.hash == session.hash
      else {
        sessions.end(id)
        return nil
      }
      role = user.role
    }
    return Visitor(user: session.user, role: role, csrf: session.csrf, sessionID: id)
  }

  /// `Set-Cookie` for a session: never readable by scripts, never sent by
  /// another site's page, and only over TLS when served over TLS.
  func sessionCookie(_ id: String) -> String {
    "\(Self.sessionCookie)=\(id); Path=/; HttpOnly; SameSite=Strict" + (settings.tls ? "; Secure" : "")
  }

  /// The client: the peer, or for a trusted proxy the address it forwards for
  /// when that is an address (anything else would reach the log as if it were).
  func clientAddress(_ request: Request, context: WebContext) -> String {
    let peer = context.remoteAddress?.ipAddress ?? "unknown"
    guard isTrustedProxy(context),
      let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!]?.split(separator: ",").last
    else { return peer }
    let address = forwarded.trimmingCharacters(in: .whitespaces)
    return AddressRange.parse(address) != nil ? address : peer
  }

  /// True when the peer is one of `serve.trusted_proxies`.
  func isTrustedProxy(_ context: WebContext) -> Bool {
    guard let peer = context.remoteAddress?.ipAddress else { return false }
    return proxies.contains { $0.contains(peer) }
  }

  /// A user a trusted proxy (Authelia, authentik) has logged in: `Remote-User`,
  /// with a role from `Remote-Groups` and `serve.proxy_groups`. The headers of
  /// any other peer are ignored. A session is started so forms carry a token.
  func proxyVisitor(_ request: Request, context: WebContext) throws -> (Visitor, String)? {
    guard let user = proxiedUser(request, context: context) else { return nil }
    let groups = Set(
      (request.headers[HTTPField.Name("Remote-Groups")!] ?? "").split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      })
    let role = Role.allCases.reversed().first { role in
      !(settings.serve.proxyGroups[role.rawValue] ?? []).filter(groups.contains).isEmpty
    }
    guard let role else {
      throw Refusal(.forbidden, "None of your groups is given a role in serve.proxy_groups.")
    }
    let (id, session) = sessions.start(user: user, role: role, hash: nil, now: now())
    return (Visitor(user: user, role: role, csrf: session.csrf, sessionID: id), sessionCookie(id))
  }

  /// `Remote-User` when a trusted proxy sent it.
  func proxiedUser(_ request: Request, context: WebContext) -> String? {
    guard isTrustedProxy(context), let user = request.headers[HTTPField.Name("Remote-User")!], !user.isEmpty
    else { return nil }
    return user
  }

  /// A POST from a page of another origin is refused (its Origin header, which
  /// browsers send with every POST, names another host).
  func checkOrigin(_ request: Request, context: WebContext) throws {
    if request.headers[HTTPField.Name("Sec-Fetch-Site")!] == "cross-site" {
      throw Refusal(.forbidden, "This request came from another site.")
    }
    guard let origin = request.headers[HTTPField.Name("Origin")!] else { return }
    let host = request.head.authority ?? ""
    let expected = (settings.tls ? "https://" : "http://") + host
    // The scheme a trusted proxy says the browser used; nobody else's, and only
    // http or https.
    let forwarded = isTrustedProxy(context) ? request.headers[HTTPField.Name("X-Forwarded-Proto")!] : nil
    let behindProxy = forwarded.flatMap { ["http", "https"].contains($0) ? "\($0)://\(host)" : nil }
    guard origin == expected || origin == behindProxy else {
      throw Refusal(.forbidden, "This request came from another origin (\(origin)).")
    }
  }

  /// Refuses a visitor below `role`.
  func require(_ role: Role, _ context: WebContext) throws -> Visitor {
    guard let visitor = context.visitor else { throw Refusal(.unauthorized, "Log in first.") }
    guard visitor.role >= role else {
      throw Refusal(.forbidden, "This needs the \(role.rawValue) role; you are \(visitor.role.rawValue).")
    }
    return visitor
  }
}
