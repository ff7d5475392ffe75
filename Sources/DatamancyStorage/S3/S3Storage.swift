import Crypto
import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A repository in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, Garage, B2):
/// each name is an object under `prefix/`. A PUT is atomic on S3 (an object
/// appears whole or not at all) and read-after-write consistent, which is what
/// `Storage` asks; durability is the service's.
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
    /// Seconds a request may go without progress before it is abandoned (and,
    /// through `RetryingStorage`, retried). Foundation's client on Linux does not
    /// notice a connection reset during an upload; this is what ends the wait.
    public var requestTimeout: Double = 20

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
  let session: URLSession

  public init(_ settings: Settings) {
    self.settings = settings
    signer = S3Signer(
      accessKey: settings.accessKey, secretKey: settings.secretKey, sessionToken: settings.sessionToken,
      region: settings.region)
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = settings.requestTimeout
    session = URLSession(configuration: configuration)
  }

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

  public func list(prefix: String) throws -> [String] {
    var names: [String] = []
    var token: String?
    let full = key(prefix)
    repeat {
      var query = [("list-type", "2"), ("prefix", full)]
      if let token { query.append(("continuation-token", token)) }
      let (_, data) = try request("GET", key: nil, name: prefix, query: query, operation: "list")
      let listing = S3Listing(data)
      let strip = settings.prefix.isEmpty ? 0 : settings.prefix.count + 1
      names += listing.keys.map { String($0.dropFirst(strip)) }
      token = listing.truncated ? listing.nextToken : nil
    } while token != nil
    return names
  }

  public func stat(_ name: String) throws -> ObjectInfo {
    let (_, _, headers) = try send("HEAD", key: key(name), name: name, operation: "stat")
    let size = headers.first { $0.key.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
    return ObjectInfo(name: name, size: size)
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
    var request = URLRequest(url: url)
    request.httpMethod = method
    for (field, value) in signed { request.setValue(value, forHTTPHeaderField: field) }
    let (status, data, responseHeaders) = try perform(
      request, body: method == "PUT" ? body : nil, name: name, operation: operation)
    if accept.contains(status) { return (status, data, responseHeaders) }
    throw error(status: status, body: data, name: name, operation: operation)
  }

  private func perform(_ request: URLRequest, body: Data?, name: String, operation: String) throws
    -> (Int, Data, [String: String])
  {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<(Int, Data, [String: String]), Error> = .failure(
      URLError(.unknown))
    let completion: @Sendable (Data?, URLResponse?, Error?) -> Void = { data, response, error in
      if let error {
        result = .failure(error)
      } else if let response = response as? HTTPURLResponse {
        var headers: [String: String] = [:]
        for (field, value) in response.allHeaderFields { headers["\(field)"] = "\(value)" }
        result = .success((response.statusCode, data ?? Data(), headers))
      }
      done.signal()
    }
    if let body {
      session.uploadTask(with: request, from: body, completionHandler: completion).resume()
    } else {
      session.dataTask(with: request, completionHandler: completion).resume()
    }
    done.wait()
    do {
      return try result.get()
    } catch {
      throw StorageError.unavailable(
        operation: operation, name: name, location: location,
        reason: "cannot reach \(settings.endpoint.host ?? "the endpoint"): \(error.localizedDescription)")
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
  var keys: [String] = []
  var truncated = false
  var nextToken: String?

  init(_ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    var rest = text[...]
    while let open = rest.range(of: "<Key>"),
      let close = rest.range(of: "</Key>", range: open.upperBound..<rest.endIndex)
    {
      keys.append(Self.unescape(String(rest[open.upperBound..<close.lowerBound])))
      rest = rest[close.upperBound...]
    }
    truncated = Self.element("IsTruncated", in: data) == "true"
    nextToken = Self.element("NextContinuationToken", in: data)
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
