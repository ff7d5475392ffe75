import DatamancyPOSIX
import Foundation
import XCTest

/// Every lasting file is written whole or not at all, with its mode from the
/// start, and a failure is one sentence naming the path.
final class AtomicFileTests: XCTestCase {
  func testAFileIsReplacedWholeWithItsModeAndNothingLeftBeside() throws {
    let folder = NSTemporaryDirectory() + "atomic-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/users"
    try AtomicFile.write("old\n", to: path)
    // A reader that opened the old file keeps reading it whole.
    let reader = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    try AtomicFile.write(String(repeating: "new line\n", count: 100_000), to: path, mode: 0o644)
    XCTAssertEqual(String(decoding: try reader.readToEnd() ?? Data(), as: UTF8.self), "old\n")
    XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8).count, 900_000)
    var info = stat()
    XCTAssertEqual(stat(path, &info), 0)
    XCTAssertEqual(info.st_mode & 0o777, 0o644)
    try AtomicFile.write("secret", to: path)
    XCTAssertEqual(stat(path, &info), 0)
    XCTAssertEqual(info.st_mode & 0o777, 0o600, "a secret is never readable by others, not even for a moment")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["users"])

    XCTAssertThrowsError(try AtomicFile.write("x", to: folder + "/missing/users")) { error in
      XCTAssertEqual(
        "\(error)",
        "cannot write '\(folder)/missing/users': no such file or directory; check that the path exists (a dangling symbolic link points nowhere)"
      )
    }
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["users"])
  }
}
