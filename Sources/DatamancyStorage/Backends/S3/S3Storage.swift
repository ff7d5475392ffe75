import AsyncHTTPClient
import Crypto
import DatamancyPOSIX
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// A repository in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, Garage, B2):
/// each name is an object under `prefix/`. A PUT is atomic on S3 (an object
/// appears whole or not at all) and read-after-write consistent, which is what
/// `Storage` asks; durability is the service's.
// @unchecked: immutable after init; HTTPClient is safe to share between threads.
public final class S3Storage: Storage, @unchecked Sendable {
  public struct Settings: Sendable {
    public var endpoint: URL
    public var bucket: String
    public var prefix: String
    public var region: String
    /// `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`.
    public var pathStyle: Bool
    public var accessKey: String
    public var secretKey: String
    public var sessionToken: String?
    /// Seconds a request may go without progress (nothing read, or nothing
    /// written) before it is abandoned and, through `RetryingStorage`, retried.
    public var requestTimeout: Double = 20
    /// A PEM file of certificate authorities trusted besides the system's.
    public var caFile: String?

    public init(
      endpoint: URL, bucket: String, prefix: String, region: String, pathStyle: Bool, accessKey: String,
      secretKey: String, sessionToken: String?
    ) {
      self.endpoint = endpoint
      self.bucket = bucket
      self.prefix = prefix
      self.region = region
      self.pathStyle = pathStyle
      self.accessKey = accessKey
      self.secretKey = secretKey
      self.sessionToken = sessionToken
    }
  }

  let settings: Settings
  let signer: S3Signer
  let client: HTTPClient

  /// Throws when the CA file cannot be read.
  public init(_ settings: Settings) throws {
    self.settings = settings
    signer = S3Signer(
      accessKey: settings.accessKey, secretKey: settings.secretKey, sessionToken: settings.sessionToken,
      region: settings.region)
    var configuration = HTTPClient.Configuration()
    let idle = TimeAmount.milliseconds(Int64(settings.requestTimeout * 1000))
    configuration.timeout = .init(connect: .seconds(10), read: idle, write: idle)
    // Up to `connections` requests at once, each on its own connection.
    configuration.connectionPool = .init(
      idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
    if let caFile = settings.caFile {
      guard FileManager.default.isReadableFile(atPath: caFile) else {
        throw StorageError.io(
          operation: "open", name: caFile, location: "s3://\(settings.bucket)",
          reason: "the CA file \(caFile) cannot be read")
      }
      var tls = TLSConfiguration.makeClientConfiguration()
      tls.additionalTrustRoots = [.file(caFile)]
      configuration.tlsConfiguration = tls
    }
    client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
  }

  deinit { try? client.syncShutdown() }

  public var location: String {
    "s3://\(settings.bucket)/\(settings.prefix)" + " at \(settings.endpoint.absoluteString)"
  }

  func key(_ name: String) -> String { settings.prefix.isEmpty ? name : settings.prefix + "/" + name }

  public func put(_ name: String, data: Data) throws {
    _ = try request("PUT", key: key(name), name: name, body: data, operation: "write")
  }

  public func get(_ name: String, offset: Int, length: Int?) throws -> Data {
    if length == 0 {
      let size = try stat(name).size
      guard offset <= size else {
        throw StorageError.shortRead(name: name, location: location, expected: offset, got: size)
      }
      return Data()
    }
    var headers: [String: String] = [:]
    if offset > 0 || length != nil {
      headers["Range"] = "bytes=\(offset)-" + (length.map { String(offset + $0 - 1) } ?? "")
    }
    let (status, data) = try request(
      "GET", key: key(name), name: name, headers: headers, operation: "read", accept: [200, 206, 416])
    if status == 416 {
      throw StorageError.shortRead(name: name, location: location, expected: length ?? 1, got: 0)
    }
    if let length, data.count < length {
      throw StorageError.shortRead(name: name, location: location, expected: length, got: data.count)
    }
    return data
  }

  public func listObjects(prefix: String) throws -> [ObjectInfo] {
    var objects: [ObjectInfo] = []
    var token: String?
    let full = key(prefix)
    repeat {
      var query = [("list-type", "2"), ("prefix", full)]
      if let token { query.append(("continuation-token", token)) }
      let (_, data) = try request("GET", key: nil, name: prefix, query: query, operation: "list")
      let listing = S3Listing(data)
      let strip = settings.prefix.isEmpty ? 0 : settings.prefix.count + 1
      objects += listing.objects.map {
        ObjectInfo(name: String($0.name.dropFirst(strip)), size: $0.size, modified: $0.modified)
      }
      token = listing.truncated ? listing.nextToken : nil
    } while token != nil
    return objects
  }

  public func stat(_ name: String) throws -> ObjectInfo {
    let (_, _, headers) = try send("HEAD", key: key(name), name: name, operation: "stat")
    let size = headers.first { $0.key.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
    let modified = headers.first { $0.key.lowercased() == "last-modified" }.flatMap {
      S3Listing.httpDate($0.value)
    }
    return ObjectInfo(name: name, size: size, modified: modified)
  }

  public func delete(_ name: String) throws {
    _ = try request("DELETE", key: key(name), name: name, operation: "delete", accept: [200, 204, 404])
  }

  // MARK: requests

  private func request(
    _ method: String, key: String?, name: String, query: [(String, String)] = [],
    headers: [String: String] = [:],
    body: Data = Data(), operation: String, accept: Set<Int> = [200, 204, 206]
  ) throws -> (Int, Data) {
    let (status, data, _) = try send(
      method, key: key, name: name, query: query, headers: headers, body: body, operation: operation,
      accept: accept)
    return (status, data)
  }

  /// Signs and sends one request; maps S3's errors to `StorageError`s that say
  /// what to do, and never include the credentials.
  private func send(
    _ method: String, key: String?, name: String, query: [(String, String)] = [],
    headers: [String: String] = [:],
    body: Data = Data(), operation: String, accept: Set<Int> = [200, 204, 206]
  ) throws -> (Int, Data, [String: String]) {
    var host = settings.endpoint.host ?? "localhost"
    var path =
      settings.endpoint.path.hasSuffix("/")
      ? String(settings.endpoint.path.dropLast()) : settings.endpoint.path
    if settings.pathStyle {
      path += "/" + settings.bucket
    } else {
      host = settings.bucket + "." + host
    }
    if let key { path += "/" + key } else if !settings.pathStyle { path += "/" }
    let encodedPath = S3Signer.encode(path, path: true)
    let hostHeader = host + (settings.endpoint.port.map { ":\($0)" } ?? "")
    var signed = headers
    signer.sign(
      method: method, host: hostHeader, path: encodedPath, query: query, headers: &signed,
      payloadHash: S3Signer.hex(SHA256.hash(data: body)), now: Date())
    var components = URLComponents()
    components.scheme = settings.endpoint.scheme
    components.host = host
    components.port = settings.endpoint.port
    components.percentEncodedPath = encodedPath
    if !query.isEmpty {
      components.percentEncodedQuery = query.map { "\(S3Signer.encode($0.0))=\(S3Signer.encode($0.1))" }
        .joined(separator: "&")
    }
    guard let url = components.url else {
      throw StorageError.io(operation: operation, name: name, location: location, reason: "not a valid URL")
    }
    let (status, data, responseHeaders) = try perform(
      method, url: url, headers: signed, body: method == "PUT" ? body : nil, name: name, operation: operation)
    if accept.contains(status) { return (status, data, responseHeaders) }
    throw error(status: status, body: data, name: name, operation: operation)
  }

  /// Sends one request and waits for its whole answer. A transport failure (no
  /// connection, a reset, a timeout) is `unavailable`: worth retrying.
  private func perform(
    _ method: String, url: URL, headers: [String: String], body: Data?, name: String, operation: String
  ) throws -> (Int, Data, [String: String]) {
    do {
      let request = try HTTPClient.Request(
        url: url, method: HTTPMethod(rawValue: method), headers: HTTPHeaders(Array(headers)),
        body: body.map { .bytes($0) })
      let response = try client.execute(request: request).wait()
      var answer: [String: String] = [:]
      for (field, value) in response.headers { answer[field.lowercased()] = value }
      let data = response.body.map { Data($0.readableBytesView) } ?? Data()
      return (Int(response.status.code), data, answer)
    } catch let error as NIOSSLError {
      // A certificate that does not verify will not verify on a retry either.
      throw StorageError.io(
        operation: operation, name: name, location: location,
        reason: "the TLS handshake with \(settings.endpoint.host ?? "the endpoint") failed (\(error)); "
          + "if the endpoint's certificate comes from a private CA, set repository.ca_file to that CA's PEM file"
      )
    } catch {
      throw StorageError.unavailable(
        operation: operation, name: name, location: location,
        reason: "cannot reach \(settings.endpoint.host ?? "the endpoint"): \(error)")
    }
  }

  func error(status: Int, body: Data, name: String, operation: String) -> StorageError {
    // A HEAD's answer has no body, so a refused stat carries no code: a bare 403
    // is a refusal of the credentials all the same.
    let code = S3Listing.element("Code", in: body) ?? (status == 403 ? "AccessDenied" : "HTTP \(status)")
    if status == 404 && code != "NoSuchBucket" { return .notFound(name: name, location: location) }
    let reason: String
    switch code {
    case "NoSuchBucket":
      reason =
        "bucket '\(settings.bucket)' does not exist at \(settings.endpoint.absoluteString); create it first"
    case "RequestTimeTooSkewed":
      reason = "this host's clock differs too much from the storage's; fix the time (NTP) and retry"
    case "AccessDenied" where operation == "write" || operation == "delete":
      // Credentials that may read but not write (an offsite copy, WORM).
      return .denied(
        operation: operation, name: name, location: location,
        reason: "the storage refused the credentials (AccessDenied): they may be read-only")
    case "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "ExpiredToken", "InvalidToken":
      reason =
        "the storage refused the credentials (\(code)): check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY "
        + "(or the repository's credential references) and the bucket policy"
    default:
      reason = "the storage answered \(status) \(code)"
      if status >= 500 || status == 429 {
        return .unavailable(operation: operation, name: name, location: location, reason: reason)
      }
    }
    return .io(operation: operation, name: name, location: location, reason: reason)
  }
}

/// The parts of a ListObjectsV2 answer we read.
struct S3Listing {
  struct Object {
    var name: String
    var size: Int
    var modified: Date?
  }

  var objects: [Object] = []
  var truncated = false
  var nextToken: String?

  init(_ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    var rest = text[...]
    while let open = rest.range(of: "<Contents>"),
      let close = rest.range(of: "</Contents>", range: open.upperBound..<rest.endIndex)
    {
      let entry = Data(rest[open.upperBound..<close.lowerBound].utf8)
      if let key = Self.element("Key", in: entry) {
        objects.append(
          Object(
            name: key, size: Self.element("Size", in: entry).flatMap { Int($0) } ?? 0,
            modified: Self.element("LastModified", in: entry).flatMap(Self.isoDate)))
      }
      rest = rest[close.upperBound...]
    }
    truncated = Self.element("IsTruncated", in: data) == "true"
    nextToken = Self.element("NextContinuationToken", in: data)
  }

  /// `2026-12-01T08:09:54.000Z`, as listings give times.
  static func isoDate(_ text: String) -> Date? { UTCTime.parse(text) }

  /// `Tue, 01 Dec 2026 08:09:54 GMT`, as the Last-Modified header gives times.
  static func httpDate(_ text: String) -> Date? {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    return formatter.date(from: text)
  }

  static func element(_ name: String, in data: Data) -> String? {
    let text = String(decoding: data, as: UTF8.self)
    guard let open = text.range(of: "<\(name)>"),
      let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
    else { return nil }
    return unescape(String(text[open.upperBound..<close.lowerBound]))
  }

  static func unescape(_ text: String) -> String {
    text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
      .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
      .replacingOccurrences(of: "&amp;", with: "&")
  }
}
