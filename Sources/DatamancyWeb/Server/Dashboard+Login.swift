import DatamancyOperations
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/login` and `/logout`. The login form's token is a double-submit cookie: a
/// page of another site can neither read the cookie nor send it (SameSite).
extension Dashboard {
  func addLoginRoutes(to router: Router<WebContext>) {
    router.get("login") { [self] request, context in
      if sessionVisitor(request, proxied: proxiedUser(request, context: context)) != nil {
        return Responses.redirect("/")
      }
      return try loginPage(request, message: nil, status: .ok)
    }
    router.post("login") { [self] request, context in try await login(request, context: context) }
    router.post("logout") { [self] request, context in
      if let visitor = sessionVisitor(request, proxied: proxiedUser(request, context: context)) {
        try checkOrigin(request, context: context)
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
    try checkOrigin(request, context: context)
    let address = clientAddress(request, context: context)
    let name = form["username"] ?? ""
    let cookie = cookieValue(request, Self.loginCookie) ?? ""
    guard !cookie.isEmpty,
      PasswordHash.constantTimeEqual(Array((form["csrf"] ?? "").utf8), Array(cookie.utf8))
    else {
      throw Refusal(.forbidden, "The login form has expired; reload the page.")
    }
    try await admit(user: name, address: address, what: "login")
    let password = form["password"] ?? ""
    var user: UserStore.User?
    var matches = false
    defer { throttle.finish(user: name, address: address, succeeded: matches, now: now()) }
    do {
      user = try users.user(named: name)
    } catch {
      logger.error("dashboard: \(error)")
      throw Refusal(.internalServerError, "The users file cannot be read; see the server's log.")
    }
    // The same work and the same answer whether the name exists or not.
    let hash = user?.hash ?? PasswordHash.decoy
    matches = await Self.offThread { PasswordHash.matches(password, hash) } && user != nil
    guard let user, matches else {
      logger.warning("dashboard: failed login for '\(Self.loggable(name))' from \(address)")
      return try loginPage(request, message: "Wrong user name or password.", status: .unauthorized)
    }
    logger.notice("dashboard: \(user.name) logged in from \(address)")
    let (id, _) = sessions.start(user: user.name, role: user.role, hash: user.hash, now: now())
    return Responses.redirect("/", cookies: [sessionCookie(id)])
  }

  /// Admits a password check through the throttle (waiting for its turn when
  /// the user is locked), or refuses it with 429. Each admission is ended by
  /// `throttle.finish`.
  func admit(user name: String, address: String, what: String) async throws {
    switch throttle.admit(user: name, address: address, now: now()) {
    case .refuse(let retryAfter):
      logger.warning(
        "dashboard: \(what) refused for '\(Self.loggable(name))' from \(address): too many failures")
      let minutes = max(Int(min(retryAfter, 86400) / 60), 1)
      var refusal = Refusal(
        .tooManyRequests, "Too many failed attempts; try again in \(Formatting.count(minutes, "minute")).")
      refusal.headers[.retryAfter] = "\(Int(min(retryAfter, 86400).rounded(.up)))"
      throw refusal
    case .check(let delay):
      guard delay > 0 else { return }
      logger.notice(
        "dashboard: \(what) for '\(Self.loggable(name))' from \(address) waits \(Formatting.seconds(delay)): the user has too many recent failures"
      )
      try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
    }
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
