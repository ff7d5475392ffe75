import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Answers only requests whose `Host` names this server: the address it listens
/// on, the loopback names, and `serve.hosts`. A page of another site that a
/// browser resolves to this address (DNS rebinding) names its own host, and gets
/// 421 instead of the dashboard, `/metrics` or `/health`.
struct HostCheck: RouterMiddleware {
  typealias Context = WebContext
  let allowed: Set<String>

  init(listening host: String, names: [String]) {
    var allowed: Set<String> = ["localhost", "127.0.0.1", "::1"]
    if !["0.0.0.0", "::", ""].contains(host) { allowed.insert(host.lowercased()) }
    for name in names { allowed.insert(name.lowercased()) }
    self.allowed = allowed
  }

  func handle(
    _ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response
  ) async throws -> Response {
    guard let host = Self.host(of: request.head.authority ?? ""), allowed.contains(host) else {
      throw Refusal(
        .misdirectedRequest,
        "This server does not answer to that name; add it to serve.hosts if it is the dashboard's.")
    }
    return try await next(request, context)
  }

  /// The host of an authority (`name:port`, `[::1]:port`, `name`), lower-cased;
  /// nil when it has no host or does not parse.
  static func host(of authority: String) -> String? {
    var text = Substring(authority.lowercased())
    if text.hasPrefix("[") {
      guard let end = text.firstIndex(of: "]") else { return nil }
      let rest = text[text.index(after: end)...]
      guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isNumber)) else {
        return nil
      }
      text = text[text.index(after: text.startIndex)..<end]
    } else if let colon = text.lastIndex(of: ":") {
      guard text[text.index(after: colon)...].allSatisfy(\.isNumber), !text[..<colon].contains(":") else {
        return nil
      }
      text = text[..<colon]
    }
    return text.isEmpty ? nil : String(text)
  }
}
