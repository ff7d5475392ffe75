import Foundation
import XCTest

/// The dashboard, driven over HTTP against the real binary: the login, sessions,
/// roles, tokens, throttling, headers, escaping, downloads and actions.
final class WebTests: DashboardTestCase {
  func prepare(sources: String = "", extra: String = "") throws -> WebClient {
    try cli.prepareDashboard(sources: sources, extra: extra)
  }

  func testNoPageWithoutASessionAndTheLoginSetsSafeCookies() throws {
    let client = try prepare()
    XCTAssertEqual(try cli.shell("stat -c %a users"), "600")
    for path in [
      "/", "/sets", "/drills", "/repository", "/runs", "/runs/1", "/browse?set=x&item=y",
      "/download?set=x&item=y",
    ] {
      let answer = try client.get(path)
      XCTAssertEqual(answer.status, 303, path)
      XCTAssertEqual(answer.header("location"), "/login", path)
    }
    XCTAssertEqual(try client.post("/actions/backup", []).status, 401)

    // Headers on every answer, the login form included.
    let form = try client.get("/login")
    XCTAssertEqual(form.status, 200)
    let policy = try XCTUnwrap(form.header("content-security-policy"))
    XCTAssertTrue(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"), policy)
    XCTAssertFalse(policy.contains("unsafe-inline"), policy)
    XCTAssertEqual(form.header("x-content-type-options"), "nosniff")
    XCTAssertNil(form.header("strict-transport-security"), "no HSTS over plain HTTP")
    XCTAssertFalse(form.body.contains("<script>"), "no inline script")

    // Every failure gets the same answer; the right password gets a session.
    let wrong = try client.login("otto", "not-the-password")
    let unknown = try client.login("nobody", "not-the-password")
    XCTAssertEqual(wrong.status, 401)
    XCTAssertEqual(unknown.status, 401)
    XCTAssertTrue(wrong.body.contains("Wrong user name or password."))
    XCTAssertEqual(
      wrong.body.replacingOccurrences(of: #"value="[^"]*""#, with: "", options: .regularExpression),
      unknown.body.replacingOccurrences(of: #"value="[^"]*""#, with: "", options: .regularExpression))
    let login = try client.login("vera", "viewer-password")
    XCTAssertEqual(login.status, 303)
    XCTAssertEqual(login.header("location"), "/")
    let cookie = try XCTUnwrap(login.headers["set-cookie"]?.first { $0.hasPrefix("dmb_session=") })
    XCTAssertTrue(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Strict"), cookie)
    XCTAssertFalse(cookie.contains("Secure"), "plain HTTP: a Secure cookie would never come back")
    let id = String(cookie.dropFirst("dmb_session=".count).prefix { $0 != ";" })
    XCTAssertEqual(
      Data(
        base64Encoded: id.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
          + "=")?.count, 32, "256 random bits")

    let set = try XCTUnwrap(try cli.sets().first?["id"] as? String)
    for path in [
      "/", "/sets", "/sets/\(set)", "/drills", "/repository", "/runs",
      "/browse?set=\(set)&item=files%2Fdata", "/browse?set=\(set)&item=files%2Fdata&path=sub",
    ] {
      let page = try client.get(path)
      XCTAssertEqual(page.status, 200, "\(path): \(page.body)")
      XCTAssertEqual(page.header("cache-control"), "no-store", path)
    }
    XCTAssertEqual(
      try client.get("/download?set=\(set)&item=files%2Fdata&path=a.txt").status, 403,
      "viewers do not download")

    // Logout revokes the session on the server, not only in this browser.
    let token = try client.csrf()
    XCTAssertEqual(try client.post("/logout", [("csrf", token)]).status, 303)
    let replay = WebClient(base: client.base, folder: cli.folder)
    let answer = try replay.get("/", headers: ["Cookie: dmb_session=\(id)"])
    XCTAssertEqual(answer.status, 303, "a logged-out session id is refused")

    // Removing a user ends their sessions at once.
    let operatorClient = WebClient(base: client.base, folder: cli.folder)
    XCTAssertEqual(try operatorClient.login("otto", "operator-password").status, 303)
    XCTAssertEqual(try operatorClient.get("/").status, 200)
    XCTAssertEqual(cli.run(["user", "remove", "otto"]).status, 0)
    XCTAssertEqual(try operatorClient.get("/").status, 303)
    XCTAssertTrue(
      try cli.shell("cat serve.log").contains("dashboard: failed login for 'nobody' from 127.0.0.1"))
  }

  func testRolesTokensAndOriginsGuardEveryPost() throws {
    let client = try prepare(sources: "  slow: { type: command, command: [sh, -c, 'sleep 2; echo slow'] }")
    let set = try XCTUnwrap(try cli.sets().first?["id"] as? String)
    XCTAssertEqual(try client.login("vera", "viewer-password").status, 303)
    let viewerToken = try client.csrf()
    XCTAssertFalse(
      try client.get("/").body.contains("action=\"/actions/backup\""), "no action forms for viewers")
    for action in ["backup", "verify", "drill", "restore", "prune"] {
      let answer = try client.post(
        "/actions/\(action)",
        [("csrf", viewerToken), ("set", set), ("item", "note"), ("mode", "folder"), ("target", "x")])
      XCTAssertEqual(answer.status, 403, "viewer: \(action)")
    }

    let operatorClient = WebClient(base: client.base, folder: cli.folder)
    XCTAssertEqual(try operatorClient.login("otto", "operator-password").status, 303)
    let overview = try operatorClient.get("/")
    for action in ["backup", "verify", "drill"] {
      XCTAssertTrue(overview.body.contains("action=\"/actions/\(action)\""), action)
    }
    let token = try operatorClient.csrf()
    XCTAssertEqual(try operatorClient.post("/actions/backup", []).status, 403, "no token")
    XCTAssertEqual(
      try operatorClient.post("/actions/backup", [("csrf", viewerToken)]).status, 403,
      "another session's token")
    XCTAssertEqual(
      try operatorClient.post("/actions/backup", [("csrf", token)], headers: ["Origin: http://evil.example"])
        .status, 403)
    XCTAssertEqual(
      try operatorClient.post("/actions/backup", [("csrf", token)], headers: ["Sec-Fetch-Site: cross-site"])
        .status, 403)
    XCTAssertEqual(try cli.sets().count, 1, "nothing ran")

    // Back up now: a set is made, exactly like a scheduled run; a second click
    // while it runs is refused.
    let started = try operatorClient.post(
      "/actions/backup", [], headers: ["X-CSRF-Token: \(token)", "Origin: \(client.base)"])
    XCTAssertEqual(started.status, 303, started.body)
    let run = try XCTUnwrap(started.header("location"))
    XCTAssertTrue(run.hasPrefix("/runs/"), run)
    XCTAssertEqual(try operatorClient.post("/actions/backup", [("csrf", token)]).status, 409)
    let events = try operatorClient.get(run + "/events")
    XCTAssertTrue(events.body.contains("event: end"), events.body)
    XCTAssertEqual(events.header("content-type"), "text/event-stream")
    let page = try cli.waitForRun(operatorClient, run)
    XCTAssertTrue(page.contains("succeeded"), page)
    XCTAssertTrue(page.contains("complete: 3 of 3 items"), page)
    XCTAssertEqual(try cli.sets().count, 2, "back up now made a set")
    XCTAssertTrue(try operatorClient.get("/runs").body.contains("otto"))

    // An operator restores into a scratch folder, never over live data.
    let scratch = try operatorClient.post(
      "/actions/restore",
      [("csrf", token), ("set", set), ("item", "files/data"), ("mode", "folder"), ("target", "copy")])
    XCTAssertEqual(scratch.status, 303, scratch.body)
    let restored = try cli.waitForRun(operatorClient, try XCTUnwrap(scratch.header("location")))
    XCTAssertTrue(restored.contains("succeeded"), restored)
    XCTAssertEqual(try cli.shell("cat scratch/copy/files/data/a.txt"), "hello")
    for target in ["../escape", "a/b", "..", ""] {
      let refused = try operatorClient.post(
        "/actions/restore",
        [("csrf", token), ("set", set), ("item", "files/data"), ("mode", "folder"), ("target", target)])
      XCTAssertEqual(refused.status, 400, target)
    }
    XCTAssertEqual(
      try operatorClient.post(
        "/actions/restore",
        [("csrf", token), ("set", set), ("item", "note"), ("mode", "original"), ("confirm", "note")]
      ).status, 403, "over live data is for admins")
    XCTAssertEqual(
      try operatorClient.post("/actions/prune", [("csrf", token)]).status, 403, "prune is for admins")
  }

  func testGuessingIsThrottled() throws {
    let client = try prepare()
    for attempt in 1...10 {
      XCTAssertEqual(try client.login("ada", "guess-\(attempt)").status, 401, "attempt \(attempt)")
    }
    XCTAssertEqual(try client.login("ada", "admin-password").status, 429, "even the right password waits")
    // The name is throttled from any address, and this address for any name.
    XCTAssertEqual(try client.login("vera", "viewer-password").status, 429)
    let log = try cli.shell("cat serve.log")
    XCTAssertEqual(
      log.components(separatedBy: "dashboard: failed login for 'ada' from 127.0.0.1").count - 1, 10, log)
  }

  func testNamesAreEscapedAndDownloadsStayInTheirSet() throws {
    let client = try prepare()
    let set = try XCTUnwrap(try cli.sets().first?["id"] as? String)
    XCTAssertEqual(try client.login("otto", "operator-password").status, 303)
    let folder = try client.get("/browse?set=\(set)&item=files%2Fdata&path=sub")
    XCTAssertEqual(folder.status, 200)
    XCTAssertTrue(folder.body.contains("&lt;img src=x onerror=alert(1)&gt;.txt"), folder.body)
    XCTAssertFalse(folder.body.contains("<img src=x"), folder.body)

    let file = try client.get("/download?set=\(set)&item=files%2Fdata&path=a.txt")
    XCTAssertEqual(file.status, 200)
    XCTAssertEqual(file.body, "hello\n")
    XCTAssertEqual(
      file.header("content-disposition"), "attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt")
    let odd = try client.get(
      "/download?set=\(set)&item=files%2Fdata&path=sub%2F%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.txt")
    XCTAssertEqual(odd.body, "<b>x</b>")
    XCTAssertEqual(odd.header("content-type"), "application/octet-stream", "never rendered as a page")
    try cli.shell(
      "curl -s -b '\(client.jar)' '\(client.base)/download?set=\(set)&item=files%2Fdata&path=sub' -o sub.tar")
    XCTAssertEqual(try cli.shell("tar -tf sub.tar | sort"), "./<img src=x onerror=alert(1)>.txt")

    for path in ["../outside.txt", "..%2F..%2Fetc%2Fpasswd", "sub/../../outside.txt", "%2E%2E/outside.txt"] {
      XCTAssertEqual(try client.get("/download?set=\(set)&item=files%2Fdata&path=\(path)").status, 400, path)
    }
    for path in ["%2Fetc%2Fpasswd", "outside.txt", "nothing/here"] {
      XCTAssertEqual(try client.get("/download?set=\(set)&item=files%2Fdata&path=\(path)").status, 404, path)
    }
    XCTAssertEqual(try client.get("/download?set=\(set)&item=..%2Fdata&path=a.txt").status, 404)
    XCTAssertEqual(try client.get("/download?set=nothing&item=files%2Fdata&path=a.txt").status, 404)
  }

  func testOddlyNamedDatabaseIsEscapedAndAdminRestoreTakesThePreRestoreSet() throws {
    let servers = Servers(cli: cli)
    let server = try servers.startPostgres()
    try cli.shell(
      """
      set -e
      createdb '<b>bold</b>'
      createdb shop
      psql -q -d shop -c "create table items(id int primary key, name text); insert into items select i, 'item ' || i from generate_series(1, 500) i"
      """)
    let client = try prepare(
      sources:
        "  postgres: { type: postgres, socket: \(server.dir), port: \(server.port), user: postgres, databases: ['<b>bold</b>', shop] }"
    )
    let set = try XCTUnwrap(try cli.sets().first?["id"] as? String)
    XCTAssertEqual(try client.login("ada", "admin-password").status, 303)
    for path in ["/", "/sets/\(set)", "/sets?item=postgres%2F%3Cb%3Ebold%3C%2Fb%3E"] {
      let page = try client.get(path).body
      XCTAssertTrue(page.contains("postgres/&lt;b&gt;bold&lt;/b&gt;"), "\(path): \(page)")
      XCTAssertFalse(page.contains("<b>bold</b>"), path)
    }

    // Over the live database: the password again and the item's name typed out.
    try cli.shell("psql -q -d shop -c 'delete from items where id > 100'")
    let token = try client.csrf()
    let form = [("csrf", token), ("set", set), ("item", "postgres/shop"), ("mode", "original")]
    XCTAssertEqual(
      try client.post("/actions/restore", form + [("password", "admin-password"), ("confirm", "shop")])
        .status, 400)
    XCTAssertEqual(
      try client.post("/actions/restore", form + [("password", "wrong"), ("confirm", "postgres/shop")])
        .status, 403)
    XCTAssertEqual(try cli.shell("psql -AtX -d shop -c 'select count(*) from items'"), "100", "nothing ran")
    let started = try client.post(
      "/actions/restore", form + [("password", "admin-password"), ("confirm", "postgres/shop")])
    XCTAssertEqual(started.status, 303, started.body)
    let page = try cli.waitForRun(client, try XCTUnwrap(started.header("location")))
    XCTAssertTrue(page.contains("succeeded"), page)
    XCTAssertEqual(try cli.shell("psql -AtX -d shop -c 'select count(*) from items'"), "500")
    let safety = try cli.sets().filter { ($0["tags"] as? [String])?.contains("pre-restore") == true }
    XCTAssertEqual(safety.count, 1, "the live database was saved first")

    // An admin prunes from the Repository page; the repository stays whole.
    XCTAssertTrue(try client.get("/repository").body.contains("action=\"/actions/prune\""))
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let forget = cli.run(["forget", set])
    XCTAssertEqual(forget.status, 0, forget.stderr)
    let prune = try client.post("/actions/prune", [("csrf", token)])
    XCTAssertEqual(prune.status, 303, prune.body)
    let pruned = try cli.waitForRun(client, try XCTUnwrap(prune.header("location")))
    XCTAssertTrue(pruned.contains("succeeded"), pruned)
    let check = cli.run(["check", "--read-data"])
    XCTAssertEqual(check.status, 0, check.text + check.stderr)
  }

  func testExposedAddressesNeedTLSOrAProxyAndMetricsNeedTheirToken() throws {
    try makeCertificate()
    try cli.configure(
      sources: "    note: { type: command, command: [echo, hi] }",
      extra: "serve: { users: \(cli.folder)/users }")
    try cli.initialize()
    let open = cli.run(["serve", "--listen", "0.0.0.0:\(Servers.freePort())"], timeout: 20)
    XCTAssertEqual(open.status, 2, open.stderr)
    XCTAssertTrue(open.stderr.contains("set serve.tls_cert and serve.tls_key"), open.stderr)

    // TLS: Secure cookies and HSTS; the metrics want their token.
    try cli.configure(
      sources: "    note: { type: command, command: [echo, hi] }",
      extra: """
        serve: { users: \(cli.folder)/users, tls_cert: \(cli.folder)/cert.pem, tls_key: \(cli.folder)/key.pem, metrics_token: { env: METRICS_TOKEN } }
        """)
    cli.environment["METRICS_TOKEN"] = "metrics-secret-token"
    cli.addUser("ada", role: "admin", password: "admin-password")
    let port = try cli.startServe(scheme: "https", curl: ["--cacert", "cert.pem"])
    let client = WebClient(base: "https://127.0.0.1:\(port)", folder: cli.folder)
    client.options = ["--cacert", cli.folder + "/cert.pem"]
    let login = try client.login("ada", "admin-password")
    XCTAssertEqual(login.status, 303)
    XCTAssertTrue(
      login.headers["set-cookie"]?.first { $0.hasPrefix("dmb_session=") }?.contains("; Secure") == true)
    XCTAssertEqual(login.header("strict-transport-security"), "max-age=31536000")
    XCTAssertEqual(try client.get("/metrics").status, 401)
    let metrics = try client.get("/metrics", headers: ["Authorization: Bearer metrics-secret-token"])
    XCTAssertEqual(metrics.status, 200)
    XCTAssertTrue(metrics.body.contains("datamancy_repository_sets"), metrics.body)
    XCTAssertFalse(try client.get("/").body.contains("metrics-secret-token"))
    XCTAssertFalse(
      try client.get("/").body.contains(cli.password), "the repository password never reaches the browser")
  }

  func testTrustedProxyLogsInItsUsersAndOthersAreIgnored() throws {
    try cli.configure(
      sources: "    note: { type: command, command: [echo, hi] }",
      extra: """
        serve: { users: \(cli.folder)/users, trusted_proxies: [127.0.0.1], proxy_groups: { operator: [ops], viewer: [staff] } }
        """)
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    let port = try cli.startServe()
    let client = WebClient(base: "http://127.0.0.1:\(port)", folder: cli.folder)
    let page = try client.get("/", headers: ["Remote-User: carol", "Remote-Groups: staff,ops"])
    XCTAssertEqual(page.status, 200)
    XCTAssertTrue(page.body.contains("carol · operator"), page.body)
    XCTAssertEqual(try client.get("/", headers: ["Remote-User: dave", "Remote-Groups: guests"]).status, 403)
    // carol's session is valid only through the proxy, for carol.
    XCTAssertEqual(try client.get("/", headers: ["Remote-User: carol"]).status, 200, "through the proxy")
    XCTAssertEqual(try client.get("/").status, 303, "its cookie alone, past the proxy, is refused")
    XCTAssertFalse(
      try client.get("/", headers: ["Remote-User: mallory", "Remote-Groups: staff"]).body.contains("carol"),
      "nor is it another proxied user's")
    try cli.configure(
      sources: "    note: { type: command, command: [echo, hi] }",
      extra: """
        serve: { users: \(cli.folder)/users, trusted_proxies: [10.9.9.9], proxy_groups: { admin: [ops] } }
        """)
    cli.stopServe()
    let other = try cli.startServe()
    let untrusted = WebClient(base: "http://127.0.0.1:\(other)", folder: cli.folder)
    XCTAssertEqual(try untrusted.get("/", headers: ["Remote-User: carol", "Remote-Groups: ops"]).status, 303)
  }

  func testTheLoginPageSaysWhenNobodyCanLogIn() throws {
    try cli.configure(
      sources: "    note: { type: command, command: [echo, hi] }",
      extra: "serve: { users: \(cli.folder)/users }")
    try cli.initialize()
    let port = try cli.startServe()
    let client = WebClient(base: "http://127.0.0.1:\(port)", folder: cli.folder)
    XCTAssertTrue(try client.get("/login").body.contains("No dashboard user exists yet"))
    XCTAssertTrue(try cli.shell("cat serve.log").contains("the dashboard has no user yet"))
    XCTAssertEqual(try client.login("admin", "admin").status, 401, "no default user")

    try "ada admin not-a-hash\ngarbage\n".write(
      toFile: cli.folder + "/users", atomically: true, encoding: .utf8)
    let page = try client.get("/login").body
    XCTAssertTrue(page.contains("line 2: expected &#39;NAME ROLE HASH&#39;"), page)
    XCTAssertEqual(try client.login("ada", "not-a-hash").status, 500)
    XCTAssertEqual(cli.run(["user", "list"]).status, 1)
  }
}
