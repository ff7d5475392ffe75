import AsyncHTTPClient
import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation
import Logging
import NIOCore

/// Sends run outcomes to the configured targets: webhooks, ntfy and Slack over
/// HTTP (async-http-client), mail through the host's `sendmail`, healthchecks-style
/// pings.
///
/// URLs (which often carry tokens) never reach a command line and are never
/// logged. A target that fails is
/// logged as a warning and changes nothing else: a good run stays good, a failed
/// one stays failed.
public struct Notifier {
  let targets: [NotifyTarget]
  let runner: any ProcessRunner
  let secrets: SecretResolver
  let logger: Logger

  public init(targets: [NotifyTarget], runner: any ProcessRunner, secrets: SecretResolver, logger: Logger) {
    self.targets = targets
    self.runner = runner
    self.secrets = secrets
    self.logger = logger
  }

  /// A run begins: healthchecks targets get `/start`.
  public func started() {
    for target in targets where target.kind == .healthchecks {
      attempt(target) { url in try post(url + "/start", body: Data(), headers: []) }
    }
  }

  /// A run ended: failures go to every target, successes to those that ask
  /// (and always to healthchecks, whose silence would mean "late").
  public func finished(_ outcome: RunOutcome) {
    for target in targets where !outcome.succeeded || target.onSuccess || target.kind == .healthchecks {
      attempt(target) { url in try send(outcome, to: target, url: url) }
    }
  }

  private func attempt(_ target: NotifyTarget, _ body: (String) throws -> Void) {
    var url = ""
    do {
      if let address = target.url {
        switch address {
        case .plain(let text): url = text
        case .secret(let reference): url = try secrets.resolve(reference)
        }
      }
      try body(url)
      logger.info("notification sent (\(target.kind.rawValue))")
    } catch {
      let message = url.isEmpty ? "\(error)" : "\(error)".replacingOccurrences(of: url, with: "<url>")
      logger.warning("notification (\(target.kind.rawValue)) failed: \(message)")
    }
  }

  private func send(_ outcome: RunOutcome, to target: NotifyTarget, url: String) throws {
    switch target.kind {
    case .webhook:
      let encoder = JSONEncoder()
      encoder.dateEncodingStrategy = .iso8601
      encoder.outputFormatting = [.sortedKeys]
      try post(url, body: try encoder.encode(outcome), headers: ["Content-Type: application/json"])
    case .slack:
      let body = try JSONSerialization.data(withJSONObject: ["text": outcome.title + "\n" + outcome.summary])
      try post(url, body: body, headers: ["Content-Type: application/json"])
    case .ntfy:
      try post(
        url, body: Data(outcome.summary.utf8),
        headers: ["Title: \(outcome.title)", "Priority: \(outcome.succeeded ? "default" : "high")"])
    case .healthchecks:
      try post(outcome.succeeded ? url : url + "/fail", body: Data(outcome.summary.utf8), headers: [])
    case .email:
      try mail(outcome, target)
    }
  }

  /// POSTs `body` (async-http-client, 10 s deadline); an answer other than 2xx
  /// fails. The URL and headers never reach a command line or a log.
  func post(_ url: String, body: Data, headers: [String]) throws {
    var request = try HTTPClient.Request(url: url, method: .POST, body: .bytes(body))
    for header in headers {
      guard let colon = header.firstIndex(of: ":") else { continue }
      request.headers.add(
        name: String(header[..<colon]),
        value: String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
    }
    let response = try HTTPClient.shared.execute(request: request, deadline: NIODeadline.now() + .seconds(10))
      .wait()
    guard (200..<300).contains(response.status.code) else {
      throw NotifyFailed(status: Int(response.status.code))
    }
  }

  /// A notification endpoint answered with an error status.
  struct NotifyFailed: Error, CustomStringConvertible {
    var status: Int
    var description: String { "the endpoint answered HTTP \(status)" }
  }

  func mail(_ outcome: RunOutcome, _ target: NotifyTarget) throws {
    let from = target.from ?? "datamancy-backup@\(outcome.host)"
    let message = """
      To: \(target.to.joined(separator: ", "))
      From: \(from)
      Subject: \(outcome.title)
      Content-Type: text/plain; charset=utf-8

      \(outcome.summary)

      """
    let process = try runner.start(
      [target.sendmail, "-t", "-oi"], environment: [:], captureOutput: false, feedInput: true)
    try? process.write(Data(message.utf8))
    try process.checkSuccess()
  }

}
