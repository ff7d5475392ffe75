import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/login` and `/logout`. The login form's token is a double-submit cookie: a
/// page of another site can neither read the cookie nor send it (SameSite).
extension Dashboard {
  func addLoginRoutes(to router: Router<WebContext>) {
    router.get("login") { [self] request, context in
      if sessionVisitor(request) != nil { return Responses.redirect("/") }
      return try loginPage(request, message: nil, status: .ok)
    }
    router.post("login") { [self] request, context in try await login(request, context: context) }
    router.post("logout") { [self] request, context in
      if let visitor = sessionVisitor(request) {
        try checkOrigin(request)
        let form = try await Form.body(of: request, context: context)
        guard PasswordHash.constantTimeEqual(Array((form["csrf"] ?? "").utf8), Array(visitor.csrf.utf8))
        else {
          throw Refusal(.forbidden, "This form has expired; reload the page.")
        }
        sessions.end(visitor.sessionID)
      }
      return Responses.redirect(
        "/login", cookies: ["\(Self.sessionCookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"])
    }
  }

  private func loginPage(_ request: Request, message: String?, status: HTTPResponse.Status) throws -> Response
  {
    let token =
      cookieValue(request, Self.loginCookie).flatMap { $0.count == 43 ? $0 : nil }
      ?? SessionStore.randomToken()
    let notice: String?
    do {
      notice =
        try users.load().isEmpty
        ? "No dashboard user exists yet. On the server, run 'datamancy-backup user add NAME --role admin'."
        : nil
    } catch {
      notice = "\(error). Nobody can log in until it is mended ('datamancy-backup user list' checks it)."
    }
    var response = Responses.html(
      LoginPage.render(csrf: token, message: message, notice: notice), status: status)
    response.headers.append(
      HTTPField(
        name: .setCookie,
        value: "\(Self.loginCookie)=\(token); Path=/login; HttpOnly; SameSite=Strict"
          + (settings.tls ? "; Secure" : "")))
    return response
  }

  private func login(_ request: Request, context: WebContext) async throws -> Response {
    let form = try await Form.body(of: request, context: context)
    try checkOrigin(request)
    let address = clientAddress(request, context: context)
    let name = form["username"] ?? ""
    let keys = ["address " + address, "user " + name]
    let time = now()
    if throttle.refuses(keys, now: time) {
      logger.warning(
        "dashboard: login refused for '\(Self.loggable(name))' from \(address): too many failures")
      var refusal = Refusal(.tooManyRequests, "Too many failed logins; try again in 15 minutes.")
      refusal.headers[.retryAfter] = "900"
      throw refusal
    }
    let cookie = cookieValue(request, Self.loginCookie) ?? ""
    guard !cookie.isEmpty,
      PasswordHash.constantTimeEqual(Array((form["csrf"] ?? "").utf8), Array(cookie.utf8))
    else {
      throw Refusal(.forbidden, "The login form has expired; reload the page.")
    }
    let password = form["password"] ?? ""
    let user: UserStore.User?
    do {
      user = try users.user(named: name)
    } catch {
      logger.error("dashboard: \(error)")
      throw Refusal(.internalServerError, "The users file cannot be read; see the server's log.")
    }
    // The same work and the same answer whether the name exists or not.
    let matches = await Self.offThread { PasswordHash.matches(password, user?.hash ?? PasswordHash.decoy) }
    guard let user, matches else {
      throttle.failed(keys, now: time)
      logger.warning("dashboard: failed login for '\(Self.loggable(name))' from \(address)")
      return try loginPage(request, message: "Wrong user name or password.", status: .unauthorized)
    }
    logger.notice("dashboard: \(user.name) logged in from \(address)")
    let (id, _) = sessions.start(user: user.name, role: user.role, hash: user.hash, now: time)
    return Responses.redirect("/", cookies: [sessionCookie(id)])
  }

  /// A user name as a log line may show it: printable ASCII, at most 64 characters.
  static func loggable(_ name: String) -> String {
    String(
      String(name.unicodeScalars.map { $0.isASCII && $0.value >= 32 && $0.value < 127 ? Character($0) : "?" })
        .prefix(64))
  }

  /// Runs blocking work (scrypt, repository reads) off the server's event loops.
  static func offThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
      DispatchQueue.global().async { continuation.resume(returning: work()) }
    }
  }
}
