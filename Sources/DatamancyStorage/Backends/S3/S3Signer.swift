import Crypto
import Foundation

/// AWS Signature Version 4 for S3 requests (header form, signed payload hash).
struct S3Signer: Sendable {
  var accessKey: String
  var secretKey: String
  var sessionToken: String?
  var region: String

  /// Adds `x-amz-date`, `x-amz-content-sha256`, the session token and
  /// `Authorization` to `headers`, for `method` on `host` + `path` with `query`.
  func sign(
    method: String, host: String, path: String, query: [(String, String)], headers: inout [String: String],
    payloadHash: String, now: Date
  ) {
    let stamp = Self.stamp(now)
    let day = String(stamp.prefix(8))
    headers["host"] = host
    headers["x-amz-date"] = stamp
    headers["x-amz-content-sha256"] = payloadHash
    if let sessionToken { headers["x-amz-security-token"] = sessionToken }
    let names = headers.keys.map { $0.lowercased() }.sorted()
    let lowered = Dictionary(uniqueKeysWithValues: headers.map { ($0.key.lowercased(), $0.value) })
    let canonicalHeaders = names.map { "\($0):\(lowered[$0]!.trimmingCharacters(in: .whitespaces))\n" }
      .joined()
    let signedHeaders = names.joined(separator: ";")
    let canonicalQuery = query.map { (Self.encode($0.0), Self.encode($0.1)) }.sorted { $0 < $1 }
      .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    let request = [method, path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash]
      .joined(separator: "\n")
    let scope = "\(day)/\(region)/s3/aws4_request"
    let toSign = ["AWS4-HMAC-SHA256", stamp, scope, Self.hex(SHA256.hash(data: Data(request.utf8)))]
      .joined(separator: "\n")
    var key = SymmetricKey(data: Data("AWS4\(secretKey)".utf8))
    for part in [day, region, "s3", "aws4_request"] {
      key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
    }
    let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: key))
    headers.removeValue(forKey: "host")  // the HTTP client sets it
    headers["Authorization"] =
      "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
  }

  static func stamp(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    return String(
      format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
  }

  /// RFC 3986 percent-encoding; `/` kept when `path` is true.
  static func encode(_ text: String, path: Bool = false) -> String {
    var out = ""
    for byte in text.utf8 {
      let c = Character(UnicodeScalar(byte))
      if c.isASCII && (c.isLetter || c.isNumber || "-_.~".contains(c) || (path && c == "/")) {
        out.append(c)
      } else {
        out += String(format: "%%%02X", byte)
      }
    }
    return out
  }

  static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
    digest.map { String(format: "%02x", $0) }.joined()
  }
}
