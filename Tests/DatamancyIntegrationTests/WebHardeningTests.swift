import Foundation
import XCTest

/// What a hostile or careless client can send the dashboard: every route with
/// random and extreme values as each role, a run of thousands of log lines read
/// from any line number, downloads that are never read, and bursts of guessed
/// passwords. The server must stay up, answer below 500, and keep its memory.
final class WebHardeningTests: DashboardTestCase {
  /// The pid of `serve` (the process `serve.pid` names is the binary: `setsid`
  /// execs it when it needs no fork; `serveRSS` checks).
  func servePID() throws -> Int32 { try XCTUnwrap(Int32(try cli.shell("cat serve.pid"))) }

  /// The server is alive: it answers. When it does not, the failure quotes its
  /// trap and the crashed thread's stack, which Swift's backtracer writes to
  /// serve.log before the process ends.
  func assertAlive(_ client: WebClient, _ when: String, file: StaticString = #filePath, line: UInt = #line)
    throws
  {
    let fresh = WebClient(base: client.base, folder: cli.folder)
    if (try? fresh.get("/login").status) == 200 { return }
    let pid = try servePID()
    try? cli.waitFor("serve to end", timeout: 60) {
      let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
      return stat.isEmpty || stat.contains(") Z ")
    }
    let log = (try? cli.shell("grep -A60 'Swift runtime failure' serve.log || tail -c 3000 serve.log")) ?? ""
    XCTFail("serve died \(when):\n\(log)", file: file, line: line)
  }

  /// Values for every parameter: numbers at and past Int's ends, numbers that
  /// overflow once multiplied, no number at all, escapes, bytes that are not
  /// UTF-8, paths that try to leave, control bytes, and long strings.
  static let extremes = [
    "", "0", "-1", "1", "2", "100", "5000", "5001", "9223372036854775807", "-9223372036854775808",
    "92233720368547760", "9223372036854775808", "-9223372036854775809", "1e309", "NaN", "0x10", "+5",
    "%00", "%FF%FE", "%E2%80%AE", "..%2F..%2Fetc%2Fpasswd", "%2E%2E", "a%0Ab", "%0D%0ASet-Cookie:%20x=1",
    "%1B%5B31m", "<script>", "%25", "%", "%%", String(repeating: "A", count: 3000),
    String(repeating: "9", count: 400),
  ]

  /// A random value: an extreme one, or random bytes percent-encoded.
  static func randomValue(_ generator: inout some RandomNumberGenerator) -> String {
    if Bool.random(using: &generator) { return extremes.randomElement(using: &generator)! }
    let count = Int.random(in: 0...40, using: &generator)
    return (0..<count).map { _ in String(format: "%%%02X", UInt8.random(in: 0...255, using: &generator)) }
      .joined()
  }

  /// Sends every request of `requests` (path and, for a POST, a form already
  /// encoded) through one curl, and returns the statuses.
  func send(_ requests: [(path: String, form: String?)], client: WebClient, token: String?) throws -> [(
    status: Int, path: String
  )] {
    var config = ""
    for (index, request) in requests.enumerated() {
      if index > 0 { config += "next\n" }
      config += "url = \"\(client.base)\(request.path.replacingOccurrences(of: "\"", with: "%22"))\"\n"
      config += "output = \"/dev/null\"\ncookie = \"\(client.jar)\"\nmax-time = 60\n"
      config += "write-out = \"%{http_code} \(index)\\n\"\n"
      if let form = request.form {
        config += "data = \"\(form)&csrf=\(token ?? "")\"\n"
        config += "header = \"Origin: \(client.base)\"\n"
      }
    }
    let file = cli.folder + "/fuzz-" + UUID().uuidString + ".curl"
    try config.write(toFile: file, atomically: true, encoding: .utf8)
    // curl exits non-zero when a transfer fails (the server gone): that fails here.
    let output = try cli.shell("curl -s -K '\(file)'")
    let lines = output.split(separator: "\n")
    XCTAssertEqual(lines.count, requests.count, "one status per request")
    return lines.compactMap { line in
      let parts = line.split(separator: " ")
      guard parts.count == 2, let status = Int(parts[0]), let index = Int(parts[1]),
        requests.indices.contains(index)
      else {
        XCTFail("curl wrote '\(line)'")
        return nil
      }
      return (status, requests[index].path)
    }
  }

  /// A run of more lines than a run keeps (eight failing sources, each saying 4 KiB
  /// of short lines), started from the dashboard while `/runs` and the run's page
  /// are polled; then every route with random and extreme values as each role.
  func testNoRequestCrashesTheServerAndEveryAnswerIsBelow500() throws {
    let failing = (1...8).map { number in
      "  broken\(number): { type: command, command: [sh, -c, 'for i in $(seq 3000); do echo e$i >&2; done; exit 3'] }"
    }.joined(separator: "\n")
    let client = try cli.prepareDashboard(sources: failing, backupStatus: 3)
    try cli.shell("ln -s nowhere data/dangling")
    let set = try XCTUnwrap(try cli.sets().first?["id"] as? String)
    XCTAssertEqual(try client.login("otto", "operator-password").status, 303)
    let token = try client.csrf()
    let started = try client.post("/actions/backup", [("csrf", token)])
    XCTAssertEqual(started.status, 303, started.body)
    let run = try XCTUnwrap(started.header("location"))
    // Poll as an operator's pages do while the run writes its lines.
    var polls = 0
    repeat {
      XCTAssertEqual(try client.get("/runs").status, 200)
      XCTAssertEqual(try client.get(run).status, 200)
      polls += 1
    } while try client.get(run).body.contains("data-events=")
    try assertAlive(client, "while /runs was polled during a run of thousands of lines (\(polls) polls)")
    let page = try client.get(run).body
    XCTAssertTrue(page.contains("failed"), page.suffix(2000).description)
    let lines = try XCTUnwrap(page.components(separatedBy: "<pre class=\"log\"").last).split(separator: "\n")
    XCTAssertGreaterThanOrEqual(lines.count, 5000, "a run of as many lines as are kept, or more")
    // From any line number, even past Int's ends: the kept lines, never a trap.
    for from in ["-9223372036854775808", "9223372036854775807", "-1", "0", "5001", "x"] {
      guard let events = try? client.get("\(run)/events?from=\(from)") else {
        return try assertAlive(client, "after reading the run's events from line \(from)")
      }
      XCTAssertEqual(events.status, 200, "from=\(from)")
      XCTAssertTrue(events.body.contains("event: end"), "from=\(from)")
    }
    try assertAlive(client, "after reading the run's events from extreme line numbers")

    let item = "files%2Fdata"
    var generator = SystemRandomNumberGenerator()
    func value() -> String { Self.randomValue(&generator) }
    func requests() -> [(path: String, form: String?)] {
      var list: [(String, String?)] = [
        ("/sets?page=92233720368547760", nil), ("/sets?page=-9223372036854775808", nil),
        ("/runs/1/events?from=-9223372036854775808", nil), ("/sets/\(String(set.prefix(8)))", nil),
      ]
      for _ in 0..<3 {
        list += [
          ("/?x=\(value())", nil),
          ("/sets?page=\(value())&item=\(value())&tag=\(value())&status=\(value())", nil),
          ("/sets/\(value())", nil), ("/browse?set=\(set)&item=\(item)&path=\(value())", nil),
          ("/browse?set=\(value())&item=\(value())&path=\(value())", nil), ("/drills?x=\(value())", nil),
          ("/repository?x=\(value())", nil), ("/restore?set=\(set)&item=\(value())", nil),
          ("/restore?set=\(value())&item=\(item)", nil), ("/runs?x=\(value())", nil),
          ("/runs/\(value())", nil),
          ("/runs/\(value())/events?from=\(value())", nil), ("/runs/1/events?from=\(value())", nil),
          ("/download?set=\(set)&item=\(item)&path=\(value())", nil),
          ("/download?set=\(value())&item=\(value())&path=\(value())", nil), ("/metrics?x=\(value())", nil),
          ("/health?x=\(value())", nil), ("/login?x=\(value())", nil), ("/static/\(value())", nil),
          ("/\(value())", nil), ("/actions/backup", "source=\(value())"),
          (
            "/actions/restore",
            "set=\(value())&item=\(value())&mode=\(value())&target=\(value())&confirm=\(value())&password=\(value())"
          ),
          ("/actions/restore", "set=\(set)&item=\(item)&mode=folder&target=\(value())"),
          ("/actions/restore", "set=\(set)&item=\(item)&mode=database&target=\(value())"),
          ("/actions/\(value())", "x=\(value())"),
          ("/login", "username=\(value())&password=\(value())"),
        ]
      }
      return list
    }
    // Every role logs in first: the fuzzed logins below may lock this address.
    let visitors = try [
      ("vera", "viewer-password"), ("otto", "operator-password"), ("ada", "admin-password"),
    ]
    .map { user, password -> (String, WebClient, String) in
      let visitor = WebClient(base: client.base, folder: cli.folder)
      XCTAssertEqual(try visitor.login(user, password).status, 303, user)
      return (user, visitor, try visitor.csrf())
    }
    for (user, visitor, token) in visitors {
      for round in 1...4 {
        let answers = try send(requests(), client: visitor, token: token)
        // /health answers 503 while something is unhealthy (here: the failed items).
        for answer in answers
        where (answer.status >= 500 && !answer.path.hasPrefix("/health")) || answer.status < 100 {
          XCTFail("\(user), round \(round): \(answer.status) for \(answer.path.prefix(300))")
        }
        try assertAlive(client, "after \(user)'s round \(round)")
      }
    }
    // And without a session at all.
    let stranger = WebClient(base: client.base, folder: cli.folder)
    for answer in try send(requests(), client: stranger, token: nil)
    where (answer.status >= 500 && !answer.path.hasPrefix("/health")) || answer.status < 100 {
      XCTFail("no session: \(answer.status) for \(answer.path.prefix(300))")
    }
    try assertAlive(client, "at the end")
    XCTAssertFalse(try cli.shell("cat serve.log").contains("Fatal error"))
  }

  /// Resident memory of the server, in MiB.
  func serveRSS() throws -> Int {
    XCTAssertTrue(
      try cli.shell("readlink /proc/\(try servePID())/exe").hasSuffix("datamancy-backup"),
      "serve.pid names the server")
    let line = try cli.shell("grep VmRSS /proc/\(try servePID())/status")
    let kib = try XCTUnwrap(Int(line.split(separator: " ").dropFirst().first { !$0.isEmpty } ?? ""), line)
    return kib / 1024
  }

  /// The status of the answer on a connection (its first line), read at last.
  func status(of fd: Int32) -> Int? {
    var buffer = [UInt8](repeating: 0, count: 12)
    let count = recv(fd, &buffer, 12, Int32(MSG_WAITALL))
    guard count == 12 else { return nil }
    return Int(String(decoding: buffer[9..<12], as: UTF8.self))
  }

  /// Fifty downloads of a large file whose clients read nothing: a few run (per
  /// user and in all), the rest are refused at once, the running ones are ended
  /// when they stall, memory stays flat and comes back, and downloads work after.
  func testStalledDownloadsAreBoundedAndEndedAndMemoryStaysFlat() throws {
    try cli.shell("mkdir -p data")
    try cli.randomFile("data/big.bin", count: 96 << 20)
    let client = try cli.prepareDashboard()
    cli.addUser("olga", role: "operator", password: "operator-password-2")
    let set = try XCTUnwrap(try cli.sets().first?["id"] as? String)
    let port = try XCTUnwrap(Int(client.base.split(separator: ":").last ?? ""))
    var cookies: [String] = []
    for (user, password) in [
      ("otto", "operator-password"), ("ada", "admin-password"), ("olga", "operator-password-2"),
    ] {
      let visitor = WebClient(base: client.base, folder: cli.folder)
      XCTAssertEqual(try visitor.login(user, password).status, 303)
      let jar = try cli.shell("grep dmb_session '\(visitor.jar)'")
      cookies.append("dmb_session=" + (jar.split(separator: "\t").last.map(String.init) ?? ""))
    }
    let before = try serveRSS()
    let path = "/download?set=\(set)&item=files%2Fdata&path=big.bin"
    var sockets: [Int32] = []
    for index in 0..<50 {
      let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nCookie: \(cookies[index % 3])\r\n\r\n"
      sockets.append(openConnection(port, sending: request, receiveBuffer: 4096))
    }
    defer { for fd in sockets { close(fd) } }
    // The refused ones are answered at once; read every status.
    let statuses = sockets.map { status(of: $0) }
    let running = statuses.filter { $0 == 200 }.count
    XCTAssertEqual(running, 4, "four downloads at once in all: \(statuses)")
    XCTAssertEqual(statuses.filter { $0 == 429 }.count, 46, "\(statuses)")
    let during = try serveRSS()
    XCTAssertLessThan(during, 150, "RSS with 50 stalled downloads (\(before) MiB before)")
    // The stalled ones are ended, each logged.
    try cli.waitFor("the stalled downloads to be ended", timeout: 120) {
      try cli.shell("grep -c 'stalled; closed' serve.log || [ $? -eq 1 ]") == "4"
    }
    try cli.waitFor("the memory to come back", timeout: 60) { try self.serveRSS() < before + 40 }
    // The slots are free again: a download works to its end.
    let whole = WebClient(base: client.base, folder: cli.folder)
    XCTAssertEqual(try whole.login("otto", "operator-password").status, 303)
    try cli.shell("curl -sf -b '\(whole.jar)' '\(client.base)\(path)' -o got.bin")
    XCTAssertEqual(try cli.shell("cmp got.bin data/big.bin && echo same"), "same")
    try assertAlive(client, "after the downloads")
  }

  /// Logs in as `user` from `address` (through the trusted proxy's
  /// X-Forwarded-For), each attempt with a fresh form; returns the statuses.
  func attempts(
    _ client: WebClient, _ tries: [(address: String, password: String)], user: String, parallel: Bool
  )
    throws -> [Int]
  {
    var script = ""
    for (index, attempt) in tries.enumerated() {
      let jar = "jar-\(user)-\(index)"
      // The form's token first (sequential, cheap); the POSTs at once when parallel.
      try cli.shell("curl -s -o /dev/null -c \(jar) '\(client.base)/login'")
      let token = try cli.shell("awk '$6 == \"dmb_login\" { print $7 }' \(jar)")
      script +=
        "curl -s -o /dev/null -w '%{http_code}' -b \(jar) -H 'X-Forwarded-For: \(attempt.address)' "
        + "--data-urlencode 'username=\(user)' --data-urlencode 'password=\(attempt.password)' "
        + "--data-urlencode 'csrf=\(token)' '\(client.base)/login' > status-\(user)-\(index)"
        + (parallel ? " &\n" : "\n")
    }
    try cli.shell(script + "wait")
    return try tries.indices.map { index in
      try XCTUnwrap(Int(try cli.shell("cat status-\(user)-\(index)")))
    }
  }

  /// Thirty guesses at once from thirty addresses get no more checks at once than
  /// the limit; ten failures from ten addresses do not lock the real user out of
  /// an address of their own.
  func testBurstsAreCountedBeforeTheCheckAndStrangersCannotLockAUserOut() throws {
    let client = try cli.prepareDashboard(serveSettings: "trusted_proxies: [127.0.0.1]")
    // The burst: 29 wrong passwords and, last, the right one.
    let burst = (1...30).map { ("10.0.1.\($0)", $0 == 30 ? "viewer-password" : "guess-\($0)") }
    let statuses = try attempts(client, burst, user: "vera", parallel: true)
    let log = try cli.shell("cat serve.log")
    func count(_ text: String) -> Int { log.components(separatedBy: text).count - 1 }
    let delayed = count("dashboard: login for 'vera' from 10.0.1.")
    let refused = count("dashboard: login refused for 'vera'")
    let failed = count("dashboard: failed login for 'vera'")
    XCTAssertEqual(statuses.filter { $0 == 429 }.count, refused, "\(statuses)")
    XCTAssertEqual(
      delayed + 10 + refused, 30, "ten checked at once, the rest waited or were refused:\n\(log)")
    XCTAssertLessThanOrEqual(delayed, 10, "one check every 2 s, at most 20 s ahead")
    XCTAssertEqual(failed, statuses.filter { $0 == 401 }.count)

    // Ten wrong passwords for ada from ten addresses, one after the other.
    let wrong = (1...10).map { ("10.0.2.\($0)", "guess-\($0)") }
    XCTAssertEqual(
      try attempts(client, wrong, user: "ada", parallel: false), Array(repeating: 401, count: 10))
    // From an address that failed: refused, even with the right password.
    XCTAssertEqual(
      try attempts(client, [("10.0.2.3", "admin-password")], user: "ada", parallel: false), [429])
    // From an address of her own: in, after her turn.
    XCTAssertEqual(
      try attempts(client, [("192.168.7.7", "admin-password")], user: "ada", parallel: false), [303])
    // A forwarded address that is not one is not believed (nor logged as one).
    XCTAssertEqual(
      try attempts(client, [("9.9.9.9 junk text", "nope")], user: "otto", parallel: false), [401])
    XCTAssertTrue(
      try cli.shell("cat serve.log").contains("failed login for 'otto' from 127.0.0.1"), "the peer's address")
  }
}
