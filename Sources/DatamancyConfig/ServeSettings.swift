import Foundation

/// `serve:`: where the dashboard and the metrics listen, who may log in, and how.
public struct ServeSettings: Sendable, Equatable {
  /// `HOST:PORT`; nil means 127.0.0.1:9469.
  public var listen: String?
  /// Names (and addresses) the dashboard answers to besides the one it listens
  /// on and the loopback names: `Host` headers naming anything else are refused.
  public var hosts: [String] = []
  /// The users file (`user add` writes it).
  public var users = "/etc/datamancy-backup/users"
  public var tlsCertificate: String?
  public var tlsKey: String?
  /// Addresses or networks (`10.0.0.0/8`, `::1`) whose `Remote-User` and
  /// `Remote-Groups` headers are believed, and which may talk plain HTTP to a
  /// non-loopback listener.
  public var trustedProxies: [String] = []
  /// Proxy groups that give a role: `{ admin: [admins], operator: [ops], viewer: [staff] }`.
  public var proxyGroups: [String: [String]] = [:]
  /// A bearer token that `/metrics` and `/health` require (else open on loopback only).
  public var metricsToken: SecretReference?
  /// The repository's allowed size in bytes: the dashboard says when growth reaches it.
  public var quota: Int64?
  /// The folder under which restores started from the dashboard create their
  /// scratch folders (an operator names a new folder inside, never a path).
  public var scratch = "/var/tmp/datamancy-restores"
  /// Idle and absolute session lifetimes, seconds.
  public var sessionIdle: Double = 30 * 60
  public var sessionMaximum: Double = 12 * 3600

  public init() {}

  static func parse(_ node: ConfigNode) throws -> ServeSettings {
    var settings = ServeSettings()
    let keys: Set<String> = [
      "listen", "users", "tls_cert", "tls_key", "trusted_proxies", "proxy_groups", "metrics_token", "quota",
      "session_idle", "session_max", "scratch", "hosts",
    ]
    for (key, value) in try node.mapping(allowed: keys) {
      switch key {
      case "listen": settings.listen = try value.string()
      case "users": settings.users = try value.string()
      case "tls_cert": settings.tlsCertificate = try value.string()
      case "tls_key": settings.tlsKey = try value.string()
      case "trusted_proxies": settings.trustedProxies = try value.strings(single: true)
      case "proxy_groups":
        for (role, groups) in try value.mapping(allowed: ["viewer", "operator", "admin"]) {
          settings.proxyGroups[role] = try groups.strings(single: true)
        }
      case "metrics_token": settings.metricsToken = try SecretReference.parse(value)
      case "quota": settings.quota = try value.size()
      case "scratch": settings.scratch = try value.string()
      case "hosts": settings.hosts = try value.strings(single: true)
      case "session_idle": settings.sessionIdle = try value.duration(examples: "30m or 2h")
      default: settings.sessionMaximum = try value.duration(examples: "12h or 1d")
      }
    }
    if (settings.tlsCertificate == nil) != (settings.tlsKey == nil) {
      throw node.error("tls_cert and tls_key go together: give both, or neither")
    }
    return settings
  }
}
