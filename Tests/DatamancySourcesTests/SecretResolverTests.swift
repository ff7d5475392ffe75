import DatamancyConfig
import DatamancyPOSIX
import DatamancySources
import Foundation
import XCTest

/// Secrets read from files, variables and credential folders: one rule for line
/// ends, empty values named as empty.
final class SecretResolverTests: XCTestCase {
  func testLineEndsAreDroppedAsBytes() {
    XCTAssertEqual(SecretResolver.trimmed(Data("pw\r\n".utf8)), "pw")
    XCTAssertEqual(SecretResolver.trimmed(Data("pw\n\n".utf8)), "pw")
    XCTAssertEqual(SecretResolver.trimmed(Data("pw\r".utf8)), "pw")
    XCTAssertEqual(SecretResolver.trimmed(Data("p\r\nw\r\n".utf8)), "p\r\nw", "only trailing ones")
    XCTAssertEqual(SecretResolver.trimmed(Data(" pw ".utf8)), " pw ", "spaces are part of a password")
    XCTAssertEqual(SecretResolver.trimmed(Data()), "")
  }

  func testAVariableIsReadFromTheCredentialsFolderWhenTheEnvironmentLacksIt() throws {
    let folder = NSTemporaryDirectory() + "credentials-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try Data("from-file\r\n".utf8).write(to: URL(fileURLWithPath: folder + "/DB_PW"))
    let runner = SystemProcessRunner()
    let scheduled = SecretResolver(environment: ["CREDENTIALS_DIRECTORY": folder], runner: runner)
    XCTAssertEqual(try scheduled.resolve(.env("DB_PW")), "from-file")
    let shell = SecretResolver(
      environment: ["CREDENTIALS_DIRECTORY": folder, "DB_PW": "from-env"], runner: runner)
    XCTAssertEqual(try shell.resolve(.env("DB_PW")), "from-env", "the environment comes first")
    XCTAssertThrowsError(try scheduled.resolve(.env("OTHER"))) {
      XCTAssertTrue("\($0)".contains("is not set"))
    }
    let empty = SecretResolver(environment: ["DB_PW": ""], runner: runner)
    XCTAssertThrowsError(try empty.resolve(.env("DB_PW"))) {
      XCTAssertTrue("\($0)".contains("set but empty"))
    }
  }
}
