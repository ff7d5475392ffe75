import Foundation
import HTTPTypes
import Hummingbird

/// An `application/x-www-form-urlencoded` body or a query string, as name → values.
struct Form: Sendable {
  private(set) var values: [String: [String]] = [:]

  init(_ encoded: String) {
    for pair in encoded.split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      func decode(_ text: Substring) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
      }
      values[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
    }
  }

  subscript(_ name: String) -> String? { values[name]?.first }

  func all(_ name: String) -> [String] { values[name] ?? [] }

  /// The body of a POST (at most `WebContext.maxUploadSize`).
  static func body(of request: Request, context: WebContext) async throws -> Form {
    var request = request
    let buffer = try await request.collectBody(upTo: context.maxUploadSize)
    return Form(String(buffer: buffer))
  }

  static func query(of request: Request) -> Form { Form(request.uri.query ?? "") }

  /// One value of `encoded` as the bytes its percent-escapes give, UTF-8 or not
  /// (file names); empty when absent.
  static func bytes(_ encoded: String, _ name: String) -> [UInt8] {
    for pair in encoded.split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard parts.count == 2, parts[0] == name else { continue }
      var bytes: [UInt8] = []
      var rest = Array(parts[1].utf8)[...]
      while let byte = rest.popFirst() {
        if byte == UInt8(ascii: "%"), rest.count >= 2,
          let value = UInt8(String(decoding: rest.prefix(2), as: UTF8.self), radix: 16)
        {
          bytes.append(value)
          rest = rest.dropFirst(2)
        } else {
          bytes.append(byte == UInt8(ascii: "+") ? 32 : byte)
        }
      }
      return bytes
    }
    return []
  }
}
