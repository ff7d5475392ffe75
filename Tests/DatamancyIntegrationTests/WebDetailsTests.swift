import Foundation
import XCTest

/// The dashboard's smaller promises: HEAD, short set ids, names that end in a
/// newline, symbolic links, control bytes, the Authorization scheme, passwords
/// on standard input, the schedule it runs, one-day charts, the names it answers
/// to, and its TLS ciphers.
final class WebDetailsTests: DashboardTestCase {
  func testSmallPromisesOfThePages() throws {
    try cli.shell("mkdir -p data && ln -s a.txt data/link && ln -s nowhere data/dangling")
    let client = try cli.prepareDashboard()
    let set = try XCTUnwrap(try cli.sets().first?["id"] as? String)
    XCTAssertEqual(try client.login("otto", "operator-password").status, 303)

    // HEAD answers as GET without a body, and a HEAD of a download leaks no slot.
    let head = try cli.shell("curl -s -I -b '\(client.jar)' '\(client.base)/sets' | head -1")
    XCTAssertTrue(head.hasPrefix("HTTP/1.1 200"), head)
    for _ in 0..<6 {
      let download = try cli.shell(
        "curl -s -I -b '\(client.jar)' '\(client.base)/download?set=\(set)&item=files%2Fdata&path=a.txt' | head -1"
      )
      XCTAssertTrue(download.hasPrefix("HTTP/1.1 200"), download)
    }
    XCTAssertEqual(try client.get("/download?set=\(set)&item=files%2Fdata&path=a.txt").body, "hello\n")

    // The pages show ids cut to eight characters; such an id opens the set.
    let short = try client.get("/sets/\(set.prefix(8))")
    XCTAssertEqual(short.status, 200)
    XCTAssertTrue(short.body.contains(set), "the set's page")

    // Symbolic links are shown, never downloaded (not even as an empty file).
    let folder = try client.get("/browse?set=\(set)&item=files%2Fdata").body
    XCTAssertTrue(folder.contains("link → a.txt"), folder)
    XCTAssertFalse(folder.contains("path=link\" download"), "no download link for a symlink")
    for name in ["link", "dangling"] {
      XCTAssertEqual(try client.get("/download?set=\(set)&item=files%2Fdata&path=\(name)").status, 404, name)
    }

    // A name with a trailing newline is no name.
    let token = try client.csrf()
    for target in ["ok2\n", "ok2\r", "ok\u{1}2"] {
      let answer = try client.post(
        "/actions/restore",
        [("csrf", token), ("set", set), ("item", "files/data"), ("mode", "folder"), ("target", target)])
      XCTAssertEqual(answer.status, 400, target.debugDescription)
    }
    // A scratch folder that is a dangling symbolic link is something already there.
    try cli.shell("mkdir -p scratch && ln -s nowhere scratch/taken")
    let taken = try client.post(
      "/actions/restore",
      [("csrf", token), ("set", set), ("item", "files/data"), ("mode", "folder"), ("target", "taken")])
    XCTAssertEqual(taken.status, 409, taken.body)

    // Control bytes in what a page repeats back are shown, never sent raw.
    let escape = try client.post("/actions/backup", [("csrf", token), ("source", "\u{1B}[31mred\u{7}")])
    XCTAssertEqual(escape.status, 400)
    XCTAssertFalse(escape.body.contains("\u{1B}") || escape.body.contains("\u{7}"), escape.body)
    XCTAssertTrue(escape.body.contains("\u{241B}[31mred\u{2407}"), escape.body)

    // Without serve --schedule, no "next scheduled runs" are promised.
    let overview = try client.get("/").body
    XCTAssertTrue(overview.contains("This server runs no schedule"), overview)
    XCTAssertFalse(overview.contains("<th>next run</th>"), overview)

    // Every set made today: the charts' axes show times, not one date twice.
    let repository = try client.get("/repository").body
    XCTAssertNotNil(
      repository.range(of: #"text-anchor="start">\d\d:\d\d</text>"#, options: .regularExpression), repository)

    // A whole-stack recovery is shown next to the drills, with its RTO.
    let recovered = cli.run(["recover", "--yes", "--only", "files", "--to", cli.folder + "/stack"])
    XCTAssertEqual(recovered.status, 0, recovered.stderr + recovered.text)
    XCTAssertEqual(try cli.shell("cat 'stack\(cli.folder)/data/a.txt'"), "hello")
    var drills = ""
    try cli.waitFor("the recovery on the Drills page") {
      drills = try client.get("/drills").body
      return drills.contains("Whole-stack recoveries")
    }
    XCTAssertTrue(drills.contains("1 of 1") && drills.contains("data "), drills)
  }

  func testHostsProxiesTLSAndTokens() throws {
    try makeCertificate()
    try cli.configure(
      sources: "    note: { type: command, command: [echo, hi] }",
      extra: """
        serve: { users: \(cli.folder)/users, tls_cert: \(cli.folder)/cert.pem, tls_key: \(cli.folder)/key.pem, metrics_token: { env: METRICS_TOKEN }, hosts: [backup.example] }
        """)
    cli.environment["METRICS_TOKEN"] = "metrics-secret-token"
    try cli.initialize()
    // A password on standard input.
    let added = try cli.shell(
      "printf 'piped-password-1\\n' | \(CLI.binary) user add ada --role admin 2>&1 && echo added")
    XCTAssertTrue(added.hasSuffix("added"), added)
    let port = try cli.startServe(scheme: "https", curl: ["--cacert", "cert.pem"])
    let client = WebClient(base: "https://127.0.0.1:\(port)", folder: cli.folder)
    client.options = ["--cacert", cli.folder + "/cert.pem"]
    XCTAssertEqual(try client.login("ada", "piped-password-1").status, 303)

    // The Authorization scheme's name in any case; the token exactly.
    for scheme in ["Bearer", "bearer", "BEARER"] {
      let metrics = try client.get("/metrics", headers: ["Authorization: \(scheme) metrics-secret-token"])
      XCTAssertEqual(metrics.status, 200, scheme)
    }
    XCTAssertEqual(
      try client.get("/metrics", headers: ["Authorization: Bearer METRICS-SECRET-TOKEN"]).status, 401)

    // Only the names it is told: another Host (DNS rebinding) gets 421 everywhere.
    for path in ["/metrics", "/health", "/login", "/"] {
      let answer = try client.get(
        path, headers: ["Host: rebound.example:\(port)", "Authorization: Bearer metrics-secret-token"])
      XCTAssertEqual(answer.status, 421, path)
    }
    let named = try cli.shell(
      "curl -s -o /dev/null -w '%{http_code}' --cacert cert.pem -H 'Host: backup.example:\(port)' "
        + "https://127.0.0.1:\(port)/login")
    XCTAssertEqual(named, "200", "a name of serve.hosts")

    // TLS: ECDHE with AEAD ciphers only.
    func handshake(_ options: String) throws -> Bool {
      let output = try cli.shell(
        "echo | openssl s_client -connect 127.0.0.1:\(port) \(options) 2>&1 || [ $? -eq 1 ]")
      return output.contains("Cipher is ") && !output.contains("Cipher is (NONE)")
    }
    for weak in ["AES128-SHA", "AES256-SHA", "AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA"] {
      XCTAssertFalse(try handshake("-tls1_2 -cipher \(weak)"), weak)
    }
    XCTAssertTrue(try handshake("-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256"))
    XCTAssertTrue(try handshake("-tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305"))
    XCTAssertTrue(try handshake("-tls1_3"))
  }

  /// A restore into a folder this user cannot create says so in a sentence.
  func testFileErrorsAreSentences() throws {
    try cli.configure(sources: "    note: { type: command, command: [echo, hi] }")
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    try cli.shell("touch plain-file")
    let notAFolder = cli.run(["restore", "latest", "--to", cli.folder + "/plain-file/sub"])
    XCTAssertNotEqual(notAFolder.status, 0)
    XCTAssertTrue(notAFolder.stderr.contains("plain-file"), notAFolder.stderr)
    // As a user who may not write there: the repository readable, the target not.
    // A copy of the binary in the folder: the checkout may lie under one nobody cannot enter.
    try cli.shell("cp \(CLI.binary) . && chmod -R a+rX . && mkdir -p closed && chmod 755 closed")
    let denied = try cli.shell(
      "DATAMANCY_BACKUP_PASSWORD='\(cli.password)' setpriv --reuid=nobody --regid=nogroup --clear-groups "
        + "./datamancy-backup restore latest --no-lock --to \(cli.folder)/closed/new 2>&1; echo \"exit $?\"")
    CLI.assertNoRawFoundationError(denied, "restore as nobody")
    XCTAssertTrue(denied.contains("closed/new"), denied)
    XCTAssertTrue(denied.contains("permission denied"), denied)
    XCTAssertFalse(denied.hasSuffix("exit 0"), denied)
  }
}
