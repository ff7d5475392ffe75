import Foundation
import XCTest

/// Notifications: a failing backup sends one message naming the failed item and
/// its error to a local HTTP receiver; a dead notifier changes nothing; no secret
/// appears in what is sent.
final class NotifyTests: XCTestCase {
  /// Starts the receiver in `cli`'s folder; returns its port.
  func startReceiver(_ cli: CLI) throws -> Int {
    let port = try startSupportScript(
      cli, "http_receiver.py", ["\(cli.folder)/inbox"],
      ready: "curl -s -o /dev/null -X POST http://127.0.0.1:PORT/ready")
    try cli.shell("rm -f inbox/*")
    return port
  }

  func testEveryKindOfTargetOnASuccess() throws {
    let cli = try CLI()
    let port = try startReceiver(cli)
    try cli.shell("printf '#!/bin/sh\\ncat > %s/mail.txt\\n' \(cli.folder) > sendmail && chmod +x sendmail")
    try cli.configure(
      sources: "    files: { type: command, command: [echo, fine] }",
      extra: """
        notify:
          - { type: slack, url: "http://127.0.0.1:\(port)/slack", on: [success] }
          - { type: healthchecks, url: "http://127.0.0.1:\(port)/hc" }
          - { type: ntfy, url: "http://127.0.0.1:\(port)/ntfy", on: [success] }
          - { type: email, to: [ops@example.net], sendmail: \(cli.folder)/sendmail, on: [success] }
          - { type: webhook, url: "http://127.0.0.1:\(port)/only-failures" }
        """)
    try cli.initialize()
    // HTTP goes through the linked client: a `curl` first on PATH is never run.
    try cli.shell(
      "mkdir bin && printf '#!/bin/sh\\ntouch %s/curl-ran\\nexit 1\\n' \(cli.folder) > bin/curl && chmod +x bin/curl"
    )
    let path = cli.folder + "/bin:" + (cli.environment["PATH"] ?? "/usr/bin:/bin")
    XCTAssertEqual(cli.run(["backup"], environment: ["PATH": path]).status, 0)
    XCTAssertFalse(FileManager.default.fileExists(atPath: cli.folder + "/curl-ran"), "curl was run")
    let paths = try cli.shell("head -qn1 inbox/*.txt | sort").split(separator: "\n")
    XCTAssertEqual(paths, ["/hc", "/hc/start", "/ntfy", "/slack"])
    let slack = try cli.shell("grep -l '^/slack' inbox/*.txt | xargs tail -n +2")
    let text = try XCTUnwrap(
      (try JSONSerialization.jsonObject(with: Data(slack.utf8)) as? [String: String])?["text"])
    XCTAssertTrue(text.hasPrefix("datamancy-backup: backup succeeded on"), text)
    let mail = try cli.shell("cat mail.txt")
    XCTAssertTrue(mail.contains("To: ops@example.net"), mail)
    XCTAssertTrue(mail.contains("Subject: datamancy-backup: backup succeeded on"), mail)
  }

  func testFailingBackupSendsOneNotificationWithoutSecrets() throws {
    let cli = try CLI()
    let port = try startReceiver(cli)
    let deadPort = Servers.freePort()
    cli.environment["DB_PW"] = "Very-S3cret-pw"
    cli.environment["HOOK_URL"] = "http://127.0.0.1:\(port)/hook?token=hook-t0ken"
    try cli.configure(
      sources: """
          db: { type: postgres, host: 127.0.0.1, port: \(deadPort), user: app, password: { env: DB_PW }, databases: [app] }
          files: { type: command, command: [echo, fine] }
        """,
      extra: """
        notify:
          - { type: webhook, url: { env: HOOK_URL } }
          - { type: ntfy, url: "http://127.0.0.1:\(deadPort)/topic", on: [failure, success] }
        """)
    try cli.initialize()
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 3, "the dead ntfy target does not change a partial backup's code")
    XCTAssertTrue(backup.stderr.contains("notification (ntfy) failed"), backup.stderr)
    let inbox = try FileManager.default.contentsOfDirectory(atPath: cli.folder + "/inbox")
    XCTAssertEqual(inbox.count, 1, "one notification: \(inbox)")
    let message = try String(contentsOfFile: cli.folder + "/inbox/" + inbox[0], encoding: .utf8)
    XCTAssertTrue(message.hasPrefix("/hook?token=hook-t0ken\n"), message)
    let body =
      try JSONSerialization.jsonObject(with: Data(message.split(separator: "\n", maxSplits: 1)[1].utf8))
      as! [String: Any]
    XCTAssertEqual(body["succeeded"] as? Bool, false)
    XCTAssertEqual(body["event"] as? String, "backup")
    let failures = body["failures"] as! [[String: Any]]
    XCTAssertEqual(failures.map { $0["item"] as! String }, ["db/app", "db/globals"])
    XCTAssertTrue((failures[0]["error"] as! String).contains("Connection refused"), "\(failures)")
    for secret in ["Very-S3cret-pw", cli.password] {
      XCTAssertFalse(message.contains(secret))
      XCTAssertFalse(backup.stderr.contains(secret))
    }
    XCTAssertFalse(backup.stderr.contains("hook-t0ken"), "the URL's token is never logged")

    // A good backup with only the dead target: still exit 0.
    try cli.configure(
      sources: "    files: { type: command, command: [echo, fine] }",
      extra: "notify: { type: webhook, url: \"http://127.0.0.1:\(deadPort)/hook\", on: [success] }")
    let good = cli.run(["backup"])
    XCTAssertEqual(good.status, 0, good.stderr)
    XCTAssertTrue(good.stderr.contains("notification (webhook) failed"), good.stderr)
  }
}
