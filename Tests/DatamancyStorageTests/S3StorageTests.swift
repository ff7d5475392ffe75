import DatamancyStorage
import DatamancyTestSupport
import Foundation
import XCTest

/// The S3 backend against a local S3 endpoint (moto's server, started by
/// `scripts/servers`): the same conformance suite as the local folder, plus
/// listings past one page and clear errors. Under CI=true a missing endpoint
/// fails the test; elsewhere it is skipped.
final class S3StorageTests: XCTestCase {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  var folder = ""
  var port = 0

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "datamancy-s3-" + UUID().uuidString
    // One attempt: a failure to start is a failure, never hidden by a retry.
    port = FreePort.next()
    let status = Self.shell(
      "\(Self.root.path)/scripts/servers start s3 \(folder) \(port) > \(folder).log 2>&1")
    guard status == 0 else {
      let log = (try? String(contentsOfFile: folder + ".log", encoding: .utf8)) ?? ""
      if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("no S3 endpoint: \(log)") }
      throw XCTSkip("no S3 endpoint here: \(log)")
    }
    addTeardownBlock { [folder] in
      _ = Self.shell("\(Self.root.path)/scripts/servers stop s3 \(folder)")
      try? FileManager.default.removeItem(atPath: folder)
      try? FileManager.default.removeItem(atPath: folder + ".log")
    }
  }

  /// Runs a script with no inherited pipes (moto stays running after it returns).
  static func shell(_ script: String) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", script]
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try! process.run()
    process.waitUntilExit()
    return process.terminationStatus
  }

  func storage(prefix: String = UUID().uuidString, bucket: String = "backups", secret: String = "test")
    -> S3Storage
  {
    // Without a CA file the initializer cannot fail.
    try! S3Storage(
      .init(
        endpoint: URL(string: "http://127.0.0.1:\(port)")!, bucket: bucket, prefix: prefix,
        region: "us-east-1",
        pathStyle: true, accessKey: "test", secretKey: secret, sessionToken: nil))
  }

  func testConformance() throws {
    try StorageConformance.assertConformance { storage() }
  }

  func testListingPastOnePage() throws {
    let s3 = storage()
    let names = (0..<1100).map { String(format: "data/%02x/%06d", $0 % 256, $0) }
    DispatchQueue.concurrentPerform(iterations: 8) { worker in
      for name in names.enumerated().filter({ $0.offset % 8 == worker }).map(\.element) {
        try! s3.put(name, data: Data(name.utf8))
      }
    }
    XCTAssertEqual(Set(try s3.list(prefix: "data/")), Set(names))
  }

  func testMissingBucketIsNamed() throws {
    XCTAssertThrowsError(try storage(bucket: "no-such-bucket").put("config", data: Data("x".utf8))) { error in
      XCTAssertTrue("\(error)".contains("bucket 'no-such-bucket' does not exist"), "\(error)")
    }
  }
}
