import DatamancyPOSIX
import Foundation
import XCTest

/// The one time format: written with milliseconds in UTC, read with or without
/// fractional seconds and with any offset; nothing else is a time.
final class UTCTimeTests: XCTestCase {
  func testFormatAndParse() {
    let date = Date(timeIntervalSince1970: 1_796_144_340.125)
    XCTAssertEqual(UTCTime.format(date), "2026-12-01T16:59:00.125Z")
    XCTAssertEqual(
      UTCTime.parse("2026-12-01T16:59:00.123Z")?.timeIntervalSince1970 ?? 0, 1_796_144_340.123,
      accuracy: 0.0005)
    XCTAssertEqual(UTCTime.parse("2026-12-01T16:59:00Z")?.timeIntervalSince1970, 1_796_144_340)
    XCTAssertEqual(UTCTime.parse("2026-12-01T18:59:00+02:00")?.timeIntervalSince1970, 1_796_144_340)
    for text in ["2026-12-01 16:59:00Z", "yesterday", "", "2026-13-01T00:00:00Z"] {
      XCTAssertNil(UTCTime.parse(text), text)
    }
  }
}
