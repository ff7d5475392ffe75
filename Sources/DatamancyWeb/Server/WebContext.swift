import HTTPTypes
import Hummingbird
import NIOCore

/// Per request: the client's address and, once authenticated, who it is.
public struct WebContext: RequestContext, RemoteAddressRequestContext {
  public var coreContext: CoreRequestContextStorage
  public let remoteAddress: SocketAddress?
  /// The connection, for a response that must end it (a stalled download).
  let channel: any Channel
  /// Set by `Authentication` on the routes behind the login.
  public var visitor: Visitor?

  public init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    remoteAddress = source.channel.remoteAddress
    channel = source.channel
  }

  /// Forms are small; a larger body is refused before it is read.
  public var maxUploadSize: Int { 64 * 1024 }
}

/// An authenticated user and the session whose tokens its forms carry.
public struct Visitor: Sendable {
  public var user: String
  public var role: Role
  public var csrf: String
  /// The session cookie's value, for logout.
  var sessionID: String
}
