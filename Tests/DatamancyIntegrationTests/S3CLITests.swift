import DatamancyStorage
import Foundation
import XCTest

/// A repository on S3 (moto's server on loopback) through the command line: round
/// trip, deduplication, tamper detection and check --read-data, as on a folder.
final class S3CLITests: XCTestCase {
  func testRoundTripDedupAndTamperDetectionOnS3() throws {
    let cli = try CLI()
    let servers = Servers(cli: cli)
    addTeardownBlock { servers.stopAll() }
    let port = try servers.startS3()
    try cli.randomFile("data.bin", count: 12 << 20)
    try cli.shell("mkdir -p vol && cp data.bin vol/")
    let repository = """
      repository:
        path: s3://backups/team/repo
        endpoint: http://127.0.0.1:\(port)
        region: us-east-1
      sources:
        vol: { type: files, paths: [\(cli.folder)/vol] }
      """
    try repository.write(toFile: cli.folder + "/datamancy-backup.yml", atomically: true, encoding: .utf8)
    try cli.initialize()
    let first = cli.run(["backup", "--json"])
    XCTAssertEqual(first.status, 0, first.stderr)
    let second = cli.run(["backup", "--json"])
    XCTAssertEqual(second.status, 0, second.stderr)
    let added = try XCTUnwrap(
      ((try JSONSerialization.jsonObject(with: second.stdout) as? [String: Any])?["items"] as? [[String: Any]])?
        .first?["storedBytes"] as? Int)
    XCTAssertLessThan(added, 120_000, "an unchanged folder stores almost nothing")
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
    XCTAssertEqual(cli.run(["restore", "latest", "--to", "out"]).status, 0)
    XCTAssertEqual(try cli.shell("cmp out/vol/vol/data.bin data.bin && echo same"), "same")

    // One flipped byte in a pack on the endpoint is found and named.
    let s3 = try S3Storage(
      .init(
        endpoint: URL(string: "http://127.0.0.1:\(port)")!, bucket: "backups", prefix: "team/repo",
        region: "us-east-1", pathStyle: true, accessKey: "test", secretKey: "test", sessionToken: nil))
    let pack = try XCTUnwrap(try s3.list(prefix: "data/").first)
    var bytes = try s3.get(pack)
    bytes[100] ^= 0xFF
    try s3.put(pack, data: bytes)
    let check = cli.run(["check", "--read-data"])
    XCTAssertEqual(check.status, 4, check.text + check.stderr)
    XCTAssertTrue((check.text + check.stderr).contains(pack), check.text)
  }

  func testBackupKilledMidwayOnS3LeavesARepositoryThatChecks() throws {
    let cli = try CLI()
    let servers = Servers(cli: cli)
    addTeardownBlock { servers.stopAll() }
    let port = try servers.startS3()
    try cli.randomFile("data", count: 96 << 20)
    let config = """
      repository:
        path: s3://backups/killed
        endpoint: http://127.0.0.1:\(port)
      sources:
        data: { type: command, command: [sh, -c, "cat \(cli.folder)/data; sleep 2"] }
      """
    try config.write(toFile: cli.folder + "/datamancy-backup.yml", atomically: true, encoding: .utf8)
    try cli.initialize(["--pack-size", "1048576"])
    var killedMidway = 0
    for trial in 1...5 {
      let (killed, delay) = cli.killWhileRunning(["backup"], after: 0.3...1.5)
      if killed { killedMidway += 1 }
      let check = cli.run(["check", "--read-data"])
      XCTAssertEqual(check.status, 0, "trial \(trial) after \(delay)s: \(check.text)\(check.stderr)")
      XCTAssertTrue(try cli.sets().allSatisfy { $0["status"] as? String == "complete" }, "no half set")
    }
    XCTAssertEqual(killedMidway, 5, "every trial must kill a running backup")
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 0, backup.stderr)
    XCTAssertEqual(
      try cli.shell("\(CLI.binary) dump latest data | sha256sum"), try cli.shell("sha256sum < data"))
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
  }

  func testInjectedServerErrorsAndDroppedConnectionsAreRetried() throws {
    let cli = try CLI()
    let servers = Servers(cli: cli)
    addTeardownBlock { servers.stopAll() }
    let upstream = try servers.startS3()
    let port = try startSupportScript(
      cli, "fault_proxy.py", [String(upstream), "\(cli.folder)/faults"],
      ready: "curl -s -o /dev/null http://127.0.0.1:PORT/")
    try cli.shell("rm -f faults")
    try cli.randomFile("data", count: 16 << 20)
    try """
    repository: { path: s3://backups/faulty, endpoint: http://127.0.0.1:\(port), connections: 4 }
    sources:
      data: { type: command, command: [cat, \(cli.folder)/data] }
    """.write(toFile: cli.folder + "/datamancy-backup.yml", atomically: true, encoding: .utf8)
    try cli.initialize(["--pack-size", "1048576"])
    let backup = cli.run(["backup"])
    XCTAssertEqual(backup.status, 0, backup.stderr)
    let check = cli.run(["check", "--read-data"])
    XCTAssertEqual(check.status, 0, check.text + check.stderr)
    XCTAssertEqual(
      try cli.shell("\(CLI.binary) dump latest data | sha256sum"), try cli.shell("sha256sum < data"))
    let faults = try cli.shell("cat faults")
    for kind in ["500 PUT", "drop", "503", "cut GET"] {
      XCTAssertTrue(faults.contains(kind), "no '\(kind)' fault was injected:\n\(faults)")
    }
  }

  func testAWrongSecretKeyFailsAtOnceNamingTheCredentialsWithoutShowingThem() throws {
    let cli = try CLI()
    let servers = Servers(cli: cli)
    addTeardownBlock { servers.stopAll() }
    let (port, dir) = try servers.start("s3", name: "s3iam", password: "iam")
    let keys = try cli.shell("cat \(dir)/credentials").split(separator: " ").map(String.init)
    XCTAssertEqual(keys.count, 2)
    cli.environment["AWS_ACCESS_KEY_ID"] = keys[0]
    cli.environment["AWS_SECRET_ACCESS_KEY"] = keys[1]
    try cli.randomFile("data", count: 1 << 20)
    try """
    repository: { path: s3://backups/iam, endpoint: http://127.0.0.1:\(port) }
    sources:
      data: { type: command, command: [cat, \(cli.folder)/data] }
    """.write(toFile: cli.folder + "/datamancy-backup.yml", atomically: true, encoding: .utf8)
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0, "the right keys work")

    let wrongSecret = "Wr0ngSecretKeyWr0ngSecretKeyWr0ngSecret1"
    // moto logs each request with its status: a refusal is asked once, not retried.
    let refusals = { try cli.shell("grep -c '\" 403 ' \(dir)/moto.log || [ $? -eq 1 ]") }
    let before = Int(try refusals()) ?? -1
    let refused = cli.run(["backup"], environment: ["AWS_SECRET_ACCESS_KEY": wrongSecret])
    XCTAssertEqual(refused.status, 1, refused.text + refused.stderr)
    XCTAssertEqual(Int(try refusals()), before + 1, "a refusal is not retried")
    let said = refused.text + refused.stderr
    XCTAssertTrue(said.contains("refused the credentials"), said)
    XCTAssertTrue(said.contains("AWS_SECRET_ACCESS_KEY"), said)
    XCTAssertFalse(said.contains(wrongSecret), said)
    XCTAssertFalse(said.contains(keys[1]), said)
    XCTAssertEqual(try cli.sets().count, 1, "nothing was added")
  }

  func testAnHTTPSEndpointSignedByAPrivateCAIsTrustedThroughCAFile() throws {
    let cli = try CLI()
    let servers = Servers(cli: cli)
    addTeardownBlock { servers.stopAll() }
    let upstream = try servers.startS3()
    // A private CA and a certificate for 127.0.0.1 signed by it.
    try cli.shell(
      """
      openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=TestCA 2>/dev/null
      openssl req -newkey rsa:2048 -nodes -keyout tls.key -out tls.csr -subj /CN=127.0.0.1 2>/dev/null
      printf 'subjectAltName=IP:127.0.0.1\\n' > tls.ext
      openssl x509 -req -in tls.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out tls.pem -days 2 -extfile tls.ext 2>/dev/null
      """)
    let port = try startSupportScript(
      cli, "tls_proxy.py", [String(upstream), "tls.pem", "tls.key"],
      ready: "curl -s --cacert ca.pem -o /dev/null https://127.0.0.1:PORT/")
    try cli.randomFile("data", count: 1 << 20)
    func configure(caFile: String?) throws {
      try """
      repository:
        path: s3://backups/tls
        endpoint: https://127.0.0.1:\(port)
        \(caFile.map { "ca_file: \($0)" } ?? "")
      sources:
        data: { type: command, command: [cat, \(cli.folder)/data] }
      """.write(toFile: cli.folder + "/datamancy-backup.yml", atomically: true, encoding: .utf8)
    }
    try configure(caFile: nil)
    let started = Date()
    let untrusted = cli.run(["init", "--kdf-cost", "1024"])
    XCTAssertEqual(untrusted.status, 1, untrusted.stderr)
    XCTAssertTrue(untrusted.stderr.contains("set repository.ca_file"), untrusted.stderr)
    // The HTTP client tries new connections until its 10 s connect timeout; our
    // retries (six of them, each waiting out that timeout: a minute or more) do
    // not come on top. The bound is generous for a loaded machine.
    XCTAssertLessThan(Date().timeIntervalSince(started), 45, "an untrusted certificate is not retried")
    try configure(caFile: cli.folder + "/ca.pem")
    try cli.initialize()
    XCTAssertEqual(cli.run(["backup"]).status, 0)
    XCTAssertEqual(cli.run(["check", "--read-data"]).status, 0)
    XCTAssertEqual(
      try cli.shell("\(CLI.binary) dump latest data | sha256sum"), try cli.shell("sha256sum < data"))
    try configure(caFile: cli.folder + "/missing.pem")
    let missing = cli.run(["snapshots"])
    XCTAssertEqual(missing.status, 1, missing.stderr)
    XCTAssertTrue(missing.stderr.contains("missing.pem cannot be read"), missing.stderr)
  }
}
