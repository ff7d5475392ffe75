import Foundation

/// Where a repository lives, parsed from `repository.path` (or `--repo`): a
/// folder, or `s3://BUCKET/PREFIX`. `open` builds the storage for it with the
/// defaults and the decorators it needs (retries for object storage), as one
/// registry, so no caller composes storages itself.
public enum StorageLocation: Equatable, Sendable {
  case folder(String)
  case s3(bucket: String, prefix: String)

  /// A location that cannot be parsed; the message names the setting.
  public struct Invalid: Error, CustomStringConvertible {
    public var description: String
  }

  /// The settings of an S3 location besides the path; nil fields take defaults.
  public struct S3Options: Sendable {
    public var endpoint: String?
    public var region: String?
    public var pathStyle: Bool?
    public var timeout: Double?
    public var caFile: String?
    public var accessKey: String
    public var secretKey: String
    public var sessionToken: String?

    public init(accessKey: String, secretKey: String) {
      self.accessKey = accessKey
      self.secretKey = secretKey
    }
  }

  public init(_ text: String) throws {
    guard text.hasPrefix("s3://") else {
      self = .folder(text)
      return
    }
    let rest = text.dropFirst("s3://".count).split(separator: "/", maxSplits: 1).map(String.init)
    guard let bucket = rest.first, !bucket.isEmpty else {
      throw Invalid(description: "repository.path: expected s3://BUCKET/PREFIX, got '\(text)'")
    }
    self = .s3(bucket: bucket, prefix: rest.count > 1 ? rest[1] : "")
  }

  /// Storage requests worth keeping in flight by default: 8 where each waits on
  /// the network, 2 on a local disk (two packs flushed at once kept the disk
  /// busier than one: a first backup of a 1.6 GB tree took 10% less time; more
  /// gained nothing measurable and cost a pack of memory each).
  public var defaultConnections: Int {
    if case .s3 = self { return 8 }
    return 2
  }

  /// The storage for this location; `s3` gives an S3 location's settings (it is
  /// called only for one, so credentials are resolved only when needed).
  public func open(s3 options: () throws -> S3Options) throws -> Storage {
    switch self {
    case .folder(let path):
      return LocalStorage(root: path)
    case .s3(let bucket, let prefix):
      let options = try options()
      let region = options.region ?? "us-east-1"
      let endpointText = options.endpoint ?? "https://s3.\(region).amazonaws.com"
      guard let endpoint = URL(string: endpointText), endpoint.host != nil else {
        throw Invalid(description: "repository.endpoint: '\(endpointText)' is not a URL")
      }
      var settings = S3Storage.Settings(
        endpoint: endpoint, bucket: bucket, prefix: prefix, region: region,
        pathStyle: options.pathStyle ?? (options.endpoint != nil), accessKey: options.accessKey,
        secretKey: options.secretKey, sessionToken: options.sessionToken)
      if let timeout = options.timeout { settings.requestTimeout = timeout }
      settings.caFile = options.caFile
      // Object storage fails now and then (5xx, 429, dropped connections): retried.
      return RetryingStorage(try S3Storage(settings))
    }
  }
}
