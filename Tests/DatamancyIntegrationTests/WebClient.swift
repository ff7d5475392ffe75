import Foundation
import XCTest

/// A browser-like HTTP client for the dashboard tests: curl with a cookie jar,
/// so cookies, redirects and headers are seen exactly as sent.
final class WebClient {
  struct Answer {
    var status: Int
    /// Header names in lower case, each with its values in order.
    var headers: [String: [String]]
    var body: String

    func header(_ name: String) -> String? { headers[name.lowercased()]?.first }

    /// The value of the first `<input name="NAME" value="...">`.
    func field(_ name: String) -> String? {
      guard let range = body.range(of: "name=\"\(name)\" value=\"") else { return nil }
      return String(body[range.upperBound...].prefix { $0 != "\"" })
    }
  }

  let base: String
  let jar: String
  let folder: String
  /// Extra curl arguments for every request (`--cacert`).
  var options: [String] = []

  init(base: String, folder: String, name: String = UUID().uuidString) {
    self.base = base
    self.folder = folder
    jar = folder + "/cookies-" + name
  }

  @discardableResult
  func get(_ path: String, headers: [String] = []) throws -> Answer { try request(path, headers: headers) }

  @discardableResult
  func post(_ path: String, _ form: [(String, String)], headers: [String] = []) throws -> Answer {
    try request(path, form: form, headers: headers, post: true)
  }

  func request(_ path: String, form: [(String, String)] = [], headers: [String] = [], post: Bool = false)
    throws
    -> Answer
  {
    let body = folder + "/body-" + UUID().uuidString
    let head = folder + "/head-" + UUID().uuidString
    defer {
      try? FileManager.default.removeItem(atPath: body)
      try? FileManager.default.removeItem(atPath: head)
    }
    var arguments = [
      "-sS", "-o", body, "-D", head, "-w", "%{http_code}", "-b", jar, "-c", jar, "--max-time", "60",
    ]
    arguments += options
    if post {
      arguments += ["-X", "POST"]
      if form.isEmpty { arguments += ["-d", ""] }
    }
    for (name, value) in form { arguments += ["--data-urlencode", "\(name)=\(value)"] }
    for header in headers { arguments += ["-H", header] }
    arguments.append(base + path)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let code = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0, let status = Int(code) else {
      throw NSError(
        domain: "curl", code: Int(process.terminationStatus),
        userInfo: [NSLocalizedDescriptionKey: "curl \(path) failed: \(code)"])
    }
    var headers: [String: [String]] = [:]
    let headText = (try? String(contentsOfFile: head, encoding: .utf8)) ?? ""
    for line in headText.split(separator: "\r\n").dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased(), default: []].append(
        line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    let data = FileManager.default.contents(atPath: body) ?? Data()
    return Answer(status: status, headers: headers, body: String(decoding: data, as: UTF8.self))
  }

  /// Logs in through the form, as a browser does: GET /login for its token, POST it.
  @discardableResult
  func login(_ user: String, _ password: String) throws -> Answer {
    let page = try get("/login")
    let token = try XCTUnwrap(page.field("csrf"), page.body)
    return try post("/login", [("username", user), ("password", password), ("csrf", token)])
  }

  /// The session's token, from any page behind the login.
  func csrf() throws -> String {
    let page = try get("/")
    return try XCTUnwrap(page.field("csrf"), "no csrf field on /: \(page.status) \(page.body)")
  }
}

extension CLI {
  /// Adds a dashboard user (password from the environment, as `user add` takes it).
  func addUser(_ name: String, role: String, password: String) {
    let result = run(
      ["user", "add", name, "--role", role], environment: ["DATAMANCY_BACKUP_NEW_PASSWORD": password])
    XCTAssertEqual(result.status, 0, result.stderr)
  }

  /// A folder with an odd name inside, a command source, one backup, three users
  /// (vera the viewer, otto the operator, ada the admin), and `serve` started;
  /// returns a client for it.
  /// `serveSettings`: more keys of `serve:` (`hosts: [a]`); `backupStatus`: the
  /// first backup's expected exit status.
  func prepareDashboard(
    sources: String = "", extra: String = "", serveSettings: String = "", serve: [String] = [],
    backupStatus: Int32 = 0
  ) throws -> WebClient {
    try shell(
      """
      mkdir -p data/sub && echo hello > data/a.txt && printf 'secret' > outside.txt
      printf '<b>x</b>' > 'data/sub/<img src=x onerror=alert(1)>.txt'
      """)
    try configure(
      sources: """
          files: { type: files, paths: [\(folder)/data] }
          note: { type: command, command: [echo, hi] }
        """ + (sources.isEmpty ? "" : "\n" + sources),
      extra: """
        serve: { users: \(folder)/users, scratch: \(folder)/scratch\(serveSettings.isEmpty ? "" : ", " + serveSettings) }
        \(extra)
        """)
    try initialize()
    let backup = run(["backup"])
    XCTAssertEqual(backup.status, backupStatus, backup.stderr)
    addUser("vera", role: "viewer", password: "viewer-password")
    addUser("otto", role: "operator", password: "operator-password")
    addUser("ada", role: "admin", password: "admin-password")
    let port = try startServe(serve)
    return WebClient(base: "http://127.0.0.1:\(port)", folder: folder)
  }

  /// Starts `serve` in the background on a free port; returns the port once it answers.
  func startServe(_ arguments: [String] = [], scheme: String = "http", curl: [String] = []) throws -> Int {
    let port = Servers.freePort()
    let extra = arguments.map { "'\($0)'" }.joined(separator: " ")
    try shellWithoutOutput(
      // A trap prints the crashed thread's stack to serve.log (Swift's backtracer),
      // which a test's failure message can then quote.
      "SWIFT_BACKTRACE=enable=yes,interactive=no,color=no,threads=crashed setsid \(CLI.binary) serve "
        + "--listen 127.0.0.1:\(port) \(extra) > serve.log 2>&1 & echo $! > serve.pid")
    for _ in 0..<100 {
      let probe = try? shell(
        "curl -s -o /dev/null -w '%{http_code}' \(curl.joined(separator: " ")) \(scheme)://127.0.0.1:\(port)/login"
      )
      if let probe, probe != "000" { return port }
      Thread.sleep(forTimeInterval: 0.1)
    }
    XCTFail("serve did not answer: \((try? shell("cat serve.log")) ?? "")")
    return port
  }

  func stopServe() { _ = try? shell("kill -- -$(cat serve.pid) 2>/dev/null; true") }

  /// Waits until the run behind `/runs/ID` has ended; returns its page.
  func waitForRun(_ client: WebClient, _ location: String, timeout: Double = 120) throws -> String {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      let page = try client.get(location).body
      if !page.contains("data-events=") { return page }
      Thread.sleep(forTimeInterval: 0.3)
    }
    XCTFail("\(location) still runs after \(timeout) s")
    return ""
  }
}
