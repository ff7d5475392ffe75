import DatamancyWeb
import Foundation
import XCTest

/// The dashboard's pure parts: escaping, passwords, throttling, addresses, paths.
final class SecurityTests: XCTestCase {
  func testInterpolatedTextIsEscapedAndMarkupIsNot() {
    let name = "<b>bold</b> & \"quoted\" 'single'"
    let markup: HTML = "<br>"
    let page: HTML = "<td>\(name)</td>\(markup)"
    XCTAssertEqual(
      page.text, "<td>&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; &#39;single&#39;</td><br>")
  }

  func testPasswordHashMatchesOnlyItsPassword() throws {
    let hash = try PasswordHash.make("correct horse", logCost: 10)
    XCTAssertTrue(hash.hasPrefix("scrypt$10$8$1$"))
    XCTAssertTrue(PasswordHash.matches("correct horse", hash))
    XCTAssertFalse(PasswordHash.matches("correct horsE", hash))
    XCTAssertFalse(
      PasswordHash.matches("correct horse", hash.replacingOccurrences(of: "scrypt$10", with: "scrypt$11")))
    XCTAssertFalse(PasswordHash.matches("", "garbage"))
    XCTAssertNotEqual(try PasswordHash.make("same", logCost: 10), try PasswordHash.make("same", logCost: 10))
  }

  func testThrottleRefusesAnAddressAfterTenFailuresWithinTheWindow() {
    let throttle = LoginThrottle(limit: 10, window: 900)
    let start = Date(timeIntervalSince1970: 1_000_000)
    for i in 0..<10 {
      let now = start.addingTimeInterval(Double(i))
      XCTAssertEqual(throttle.admit(user: "u\(i)", address: "a", now: now), .check(delay: 0))
      throttle.finish(user: "u\(i)", address: "a", succeeded: false, now: now)
    }
    guard case .refuse(let retry) = throttle.admit(user: "v", address: "a", now: start.addingTimeInterval(11))
    else { return XCTFail("an address with ten failures is refused for any user") }
    XCTAssertEqual(retry, 889, accuracy: 0.001, "until the oldest failure leaves the window")
    XCTAssertEqual(
      throttle.admit(user: "v", address: "b", now: start.addingTimeInterval(11)), .check(delay: 0))
    XCTAssertEqual(
      throttle.admit(user: "w", address: "a", now: start.addingTimeInterval(901)), .check(delay: 0),
      "the first failure left the window")
  }

  func testABurstGetsNoMoreChecksThanTheLimit() {
    let throttle = LoginThrottle(limit: 10, window: 900, spacing: 2, maximumWait: 20)
    let now = Date(timeIntervalSince1970: 1_000_000)
    // Thirty attempts at the same moment, from thirty addresses, none finished yet.
    let answers = (0..<30).map { throttle.admit(user: "admin", address: "10.0.0.\($0)", now: now) }
    XCTAssertEqual(answers.prefix(10).filter { $0 == .check(delay: 0) }.count, 10)
    XCTAssertEqual(
      Array(answers[10..<20]), (1...10).map { .check(delay: Double($0) * 2) },
      "past the limit, one check every two seconds")
    XCTAssertTrue(
      answers[20...].allSatisfy { if case .refuse = $0 { true } else { false } }, "and no queue past 20 s")
  }

  func testStrangersCannotLockAUserOut() {
    let throttle = LoginThrottle(limit: 10, window: 900, spacing: 2, maximumWait: 20)
    let start = Date(timeIntervalSince1970: 1_000_000)
    for i in 0..<10 {
      XCTAssertEqual(throttle.admit(user: "admin", address: "10.0.0.\(i)", now: start), .check(delay: 0))
      throttle.finish(user: "admin", address: "10.0.0.\(i)", succeeded: false, now: start)
    }
    let later = start.addingTimeInterval(60)
    guard case .refuse = throttle.admit(user: "admin", address: "10.0.0.3", now: later) else {
      return XCTFail("an address that failed for the locked user is refused")
    }
    XCTAssertEqual(
      throttle.admit(user: "admin", address: "192.168.1.5", now: later), .check(delay: 2),
      "the real admin, from an address of their own, is checked after a short wait")
    XCTAssertEqual(
      throttle.admit(user: "admin", address: "192.168.1.6", now: later), .check(delay: 4),
      "the next stranger waits their turn")
  }

  func testAddressRanges() throws {
    let network = try XCTUnwrap(AddressRange("10.1.0.0/16"))
    XCTAssertTrue(network.contains("10.1.200.3"))
    XCTAssertTrue(network.contains("::ffff:10.1.2.3"))
    XCTAssertFalse(network.contains("10.2.0.1"))
    XCTAssertFalse(network.contains("fd00::1"))
    XCTAssertTrue(try XCTUnwrap(AddressRange("fd00::/8")).contains("fd12::1"))
    XCTAssertNil(AddressRange("10.0.0.0/33"))
    XCTAssertNil(AddressRange("example.org"))
    XCTAssertTrue(AddressRange.isLoopback("127.0.0.1"))
    XCTAssertTrue(AddressRange.isLoopback("::1"))
    XCTAssertFalse(AddressRange.isLoopback("0.0.0.0"))
  }

  func testQueryBytesKeepNamesThatAreNotUTF8() {
    XCTAssertEqual(
      PathQuery.decode("set=a&path=dir%2Fb%FFc+d", "path"), Array("dir/b".utf8) + [0xFF] + Array("c d".utf8))
    XCTAssertEqual(PathQuery.decode("set=a", "path"), [])
    XCTAssertEqual(PathQuery.encode(Array("a b/".utf8) + [0xFF]), "a%20b/%FF")
    XCTAssertEqual(Form("a=1+2&b=%3Cx%3E&a=3").all("a"), ["1 2", "3"])
  }

  func testSessionsEndWhenIdleOrOld() {
    let store = SessionStore(idle: 60, maximum: 3600)
    let start = Date(timeIntervalSince1970: 1_000_000)
    let (id, session) = store.start(user: "ann", role: .viewer, hash: "h", now: start)
    XCTAssertEqual(id.count, 43)
    XCTAssertNotEqual(id, session.csrf)
    XCTAssertNotNil(store.session(id, now: start.addingTimeInterval(59)))
    XCTAssertNotNil(
      store.session(id, now: start.addingTimeInterval(118)), "each request renews the idle time")
    XCTAssertNil(store.session(id, now: start.addingTimeInterval(180)))
    let (old, _) = store.start(user: "ann", role: .viewer, hash: "h", now: start)
    for minute in 1...60 { _ = store.session(old, now: start.addingTimeInterval(Double(minute) * 59)) }
    XCTAssertNil(store.session(old, now: start.addingTimeInterval(3601)), "past the absolute limit")
    let (ended, _) = store.start(user: "ann", role: .viewer, hash: "h", now: start)
    store.end(ended)
    XCTAssertNil(store.session(ended, now: start))
  }
}
