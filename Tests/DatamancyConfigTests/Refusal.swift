import DatamancyConfig
import XCTest

extension XCTestCase {
  func parse(_ text: String) throws -> BackupConfig { try BackupConfig.parse(text, file: "test.yml") }

  /// The error a configuration text is refused with; a text that parses fails the test.
  func refusal(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
    do {
      _ = try parse(text)
      XCTFail("expected a configuration error", file: file, line: line)
    } catch let error as ConfigError {
      return error
    } catch {
      XCTFail("unexpected \(error)", file: file, line: line)
    }
    return nil
  }
}
