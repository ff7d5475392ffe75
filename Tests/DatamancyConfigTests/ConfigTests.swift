import DatamancyConfig
import DatamancyStorage
import XCTest

final class ConfigTests: XCTestCase {
  func testFullExample() throws {
    let config = try parse(
      """
      repository:
        path: /var/backups/datamancy
        password: { env: DATAMANCY_BACKUP_PASSWORD }
        compression: zstd:3
      sources:
        volumes:   { type: files, paths: [/srv/volumes/grafana], exclude: [.cache, node_modules, "*.tmp", "*.log"] }
        custom:    { type: command, command: [sh, -c, "exec my-exporter --stdout"], rpo: 24h }
      concurrency: 2
      retention: { keep_latest: 30, keep_daily: 7 }
      verify: { max_age: 36h }
      drill: { rto: 2h, cluster: true }
      schedule: { backup: "*-*-* 02:00:00 UTC" }
      notify:
        - { type: webhook, url: "https://hooks.example/backup", on: [failure] }
      """)
    XCTAssertEqual(config.repository.path, "/var/backups/datamancy")
    XCTAssertEqual(config.repository.password, .env("DATAMANCY_BACKUP_PASSWORD"))
    XCTAssertEqual(config.repository.compression, .zstd(level: 3))
    XCTAssertEqual(config.concurrency, 2)
    XCTAssertEqual(config.sources.map(\.name), ["volumes", "custom"])
    XCTAssertEqual(
      config.sources[0].settings(as: FilesSettings.self),
      FilesSettings(paths: ["/srv/volumes/grafana"], exclude: [".cache", "node_modules", "*.tmp", "*.log"]))
    XCTAssertEqual(
      config.sources[1].settings(as: CommandSettings.self),
      CommandSettings(argv: ["sh", "-c", "exec my-exporter --stdout"]))
    XCTAssertEqual(config.sources[1].rpoSeconds, 86400)
    XCTAssertEqual(config.drillRTO, 7200)
    XCTAssertTrue(config.drillCluster)
  }

  func testSecretReferences() throws {
    XCTAssertEqual(
      try parse("repository: { password: { file: /run/secrets/pw } }").repository.password,
      .file("/run/secrets/pw"))
    XCTAssertEqual(
      try parse("repository: { password: { command: [pass, show, backup] } }").repository.password,
      .command(["pass", "show", "backup"]))
  }

  func testPlainPasswordIsRefusedWithoutEchoingIt() {
    let error = refusal("repository:\n  path: /r\n  password: s3cret-value\n")
    XCTAssertEqual(error?.key, "repository.password")
    XCTAssertEqual(error?.line, 3)
    XCTAssertFalse(error?.description.contains("s3cret-value") ?? true)
  }

  func testUnknownKeyIsNamedWithItsLine() {
    let error = refusal("repository:\n  path: /r\n  compresion: zstd\n")
    XCTAssertEqual(error?.key, "repository.compresion")
    XCTAssertEqual(error?.line, 3)
    XCTAssertTrue(error?.description.contains("test.yml:3") ?? false)
  }

  func testBadValues() {
    XCTAssertEqual(refusal("repository: { compression: zstd:99 }")?.key, "repository.compression")
    XCTAssertEqual(refusal("repository: { compression: fast }")?.key, "repository.compression")
    XCTAssertEqual(try parse("repository: { path: /r, compression: auto }").repository.compression, .auto)
    XCTAssertEqual(try parse("repository: { compression: zstd }").repository.compression, .zstd(level: 3))
    XCTAssertEqual(try parse("repository: { compression: zstd:19 }").repository.compression, .zstd(level: 19))
    XCTAssertEqual(
      try parse("repository: { compression: none }").repository.compression, CompressionSetting.none)
    XCTAssertEqual(refusal("repository: { compression: zstd:0 }")?.key, "repository.compression")
    XCTAssertEqual(refusal("concurrency: lots")?.key, "concurrency")
    XCTAssertEqual(refusal("sources:\n  a: { type: files }\n")?.key, "sources.a")
    XCTAssertEqual(refusal("sources:\n  a: { type: tape }\n")?.key, "sources.a.type")
    XCTAssertEqual(refusal("sources:\n  a: { type: command, command: [] }\n")?.key, "sources.a.command")
    XCTAssertEqual(
      refusal("sources:\n  a: { type: command, command: [x], rpo: soon }\n")?.key, "sources.a.rpo")
    XCTAssertEqual(refusal("sources:\n  a: { type: files, paths: [/x], bogus: 1 }\n")?.key, "sources.a.bogus")
  }

  func testCPUs() throws {
    XCTAssertNil(try parse("concurrency: 2").cpus)
    XCTAssertEqual(try parse("cpus: [2, 0]").cpus, [0, 2])
    XCTAssertEqual(try parse("cpus: 1").cpus, [1])
    XCTAssertEqual(try parse("cpus: \"0-3,6\"").cpus, [0, 1, 2, 3, 6])
    XCTAssertEqual(try parse("cpus: [0-1, 1-2]").cpus, [0, 1, 2])
    XCTAssertEqual(try parse("concurrency: 2\ncpus: [0]").cpusLine, 2)
    for bad in ["[-1]", "\"3-1\"", "[a]", "1024", "\"0,\"", "\"0-1-2\"", "[]"] {
      let error = refusal("concurrency: 2\ncpus: \(bad)")
      XCTAssertEqual(error?.key, "cpus", bad)
      XCTAssertEqual(error?.line, 2, bad)
    }
  }

  func testCopyTargets() throws {
    let config = try parse(
      """
      repository: { path: /r }
      repositories:
        offsite: { path: s3://b/p, endpoint: http://127.0.0.1:9000, password: { env: OFFSITE }, connections: 4 }
        usb: { path: /mnt/usb/repo }
      copy_to: [offsite, usb]
      """)
    XCTAssertEqual(config.repositories.map(\.name), ["offsite", "usb"])
    XCTAssertEqual(config.repositories[0].settings.path, "s3://b/p")
    XCTAssertEqual(config.repositories[0].settings.connections, 4)
    XCTAssertEqual(config.copyTo, ["offsite", "usb"])
    let unknown = refusal("repositories:\n  usb: { path: /u }\ncopy_to: [usb, tape]\n")
    XCTAssertEqual(unknown?.key, "copy_to")
    XCTAssertEqual(unknown?.line, 3)
    XCTAssertTrue(unknown?.message.contains("'tape'") ?? false)
    XCTAssertEqual(refusal("repositories:\n  usb: { endpoint: http://x }\n")?.key, "repositories.usb")
  }

  /// A repository's storage settings are read as its backend declares them;
  /// another backend's setting and an unknown scheme are refused by line.
  func testStorageSettingsAreTheBackendsOwn() throws {
    let config = try parse(
      """
      repository:
        endpoint: http://127.0.0.1:9000
        path: s3://bucket/prefix
        path_style: false
        timeout: 2m
        access_key: { env: KEY }
        secret_key: { file: /run/secret }
      """)
    let storage = config.repository.storage
    XCTAssertEqual(storage["endpoint"], .value(.text("http://127.0.0.1:9000")))
    XCTAssertEqual(storage["path_style"], .value(.flag(false)))
    XCTAssertEqual(storage["timeout"], .value(.seconds(120)))
    XCTAssertEqual(storage["access_key"], .secret(.env("KEY")))
    XCTAssertEqual(
      config.secretUses.map(\.key), ["repository.access_key", "repository.secret_key"],
      "a backend's secret settings are secrets of the configuration")
    let folder = refusal("repository:\n  path: /r\n  region: eu-west-1\n")
    XCTAssertEqual(folder?.key, "repository.region")
    XCTAssertEqual(folder?.line, 3)
    XCTAssertTrue(
      folder?.message.contains("a setting of s3://BUCKET/PREFIX repositories") ?? false, "\(folder!)")
    let scheme = refusal("repository: { path: 'sftp://host/repo' }\n")
    XCTAssertEqual(scheme?.key, "repository.path")
    XCTAssertTrue(scheme?.message.contains("'sftp://' is not a kind of repository") ?? false, "\(scheme!)")
    XCTAssertEqual(try StorageBackends.backend(of: "/srv/a://b").scheme, nil, "a folder whose name holds ://")
    XCTAssertEqual(try StorageBackends.backend(of: "s3://b").defaultConnections, 8)
    XCTAssertThrowsError(try StorageBackends.location("s3:///p"))
  }

  func testBrokenYAMLNamesTheLine() {
    let error = refusal("repository:\n  path: /r\n sources: [\n")
    XCTAssertNotNil(error?.line)
    XCTAssertTrue(error?.message.contains("not valid YAML") ?? false)
  }

  func testDurations() {
    XCTAssertEqual(DurationText.seconds("36h"), 129_600)
    XCTAssertEqual(DurationText.seconds("7d"), 604_800)
    XCTAssertEqual(DurationText.seconds("90s"), 90)
    XCTAssertNil(DurationText.seconds("h"))
    XCTAssertNil(DurationText.seconds("-1h"))
  }
}
