/// One entry of `notify:`: where to report runs, and which ones.
public struct NotifyTarget: Sendable, Equatable {
  public enum Kind: String, Sendable, CaseIterable {
    /// A JSON POST of the run's outcome.
    case webhook
    /// ntfy: the summary as the body of a POST to the topic URL.
    case ntfy
    /// Slack-compatible incoming webhooks: `{"text": summary}`.
    case slack
    /// Mail through the host's sendmail interface (msmtp, postfix, ...).
    case email
    /// A healthchecks-style ping URL: `/start` when a run begins, the URL on
    /// success, `/fail` on failure.
    case healthchecks
  }

  /// Where the URL comes from: written out, or a secret reference (a URL that
  /// carries a token is a secret).
  public enum Address: Sendable, Equatable {
    case plain(String)
    case secret(SecretReference)
  }

  public var kind: Kind
  public var url: Address?
  /// Send on success too (failures are always sent).
  public var onSuccess = false
  public var to: [String] = []
  public var from: String?
  public var sendmail = "/usr/sbin/sendmail"

  static func parse(_ node: ConfigNode) throws -> NotifyTarget {
    let entries = try node.mapping(allowed: ["type", "url", "on", "to", "from", "sendmail"])
    guard let typeNode = entries.first(where: { $0.key == "type" })?.value else {
      throw node.error("missing key 'type' (one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    guard let kind = Kind(rawValue: try typeNode.string()) else {
      throw typeNode.error("expected one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    var target = NotifyTarget(kind: kind)
    for (key, value) in entries {
      switch key {
      case "url":
        if case .scalar = value.node {
          target.url = .plain(try value.string())
        } else {
          target.url = .secret(try SecretReference.parse(value))
        }
      case "on":
        let events = try value.strings(single: true)
        for event in events where !["failure", "success"].contains(event) {
          throw value.error("expected failure and/or success")
        }
        target.onSuccess = events.contains("success")
      case "to": target.to = try value.strings(single: true)
      case "from": target.from = try value.string()
      case "sendmail": target.sendmail = try value.string()
      default: break
      }
    }
    if kind == .email {
      guard !target.to.isEmpty else { throw node.error("email needs 'to'") }
    } else if target.url == nil {
      throw node.error("\(kind.rawValue) needs 'url'")
    }
    return target
  }
}
