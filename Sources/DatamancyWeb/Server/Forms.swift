import Foundation
import HTTPTypes
import Hummingbird

/// An `application/x-www-form-urlencoded` body or a query string, as name → values.
public struct Form: Sendable {
  private(set) var values: [String: [String]] = [:]

  public init(_ encoded: String) {
    for pair in encoded.split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      func decode(_ text: Substring) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
      }
      values[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
    }
  }

  public subscript(_ name: String) -> String? { values[name]?.first }

  public func all(_ name: String) -> [String] { values[name] ?? [] }

  /// The body of a POST (at most `WebContext.maxUploadSize`); it may be read again.
  static func body(of request: Request, context: WebContext) async throws -> Form {
    var request = request
    let buffer = try await request.collectBody(upTo: context.maxUploadSize)
    return Form(String(buffer: buffer))
  }

  static func query(of request: Request) -> Form { Form(request.uri.query ?? "") }
}
