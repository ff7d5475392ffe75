import Foundation

/// A repository in S3-compatible object storage: `s3://BUCKET/PREFIX`.
public struct S3Backend: StorageBackend {
  public static let scheme: String? = "s3"
  public static let pathForm = "s3://BUCKET/PREFIX"
  public static let options: [BackendOption] = [
    BackendOption("endpoint", .text),
    BackendOption("region", .text),
    BackendOption("path_style", .flag),
    BackendOption("ca_file", .text),
    BackendOption("timeout", .seconds),
    BackendOption("access_key", .secret, variable: "AWS_ACCESS_KEY_ID", optional: false),
    BackendOption("secret_key", .secret, variable: "AWS_SECRET_ACCESS_KEY", optional: false),
    BackendOption("session_token", .secret, variable: "AWS_SESSION_TOKEN"),
  ]
  /// Each request waits on the network: several in flight hide the latency.
  public static let defaultConnections = 8

  public let bucket: String
  public let prefix: String

  public init(path: String) throws {
    let rest = path.dropFirst("s3://".count).split(
      separator: "/", maxSplits: 1, omittingEmptySubsequences: false
    )
    .map(String.init)
    guard path.hasPrefix("s3://"), let bucket = rest.first, !bucket.isEmpty else {
      throw BackendError("repository.path: expected s3://BUCKET/PREFIX, got '\(path)'")
    }
    self.bucket = bucket
    prefix = rest.count > 1 ? rest[1] : ""
  }

  public func open(_ values: BackendValues) throws -> any Storage {
    guard let accessKey = values.text("access_key"), let secretKey = values.text("secret_key") else {
      throw BackendError(
        "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or repository.access_key and secret_key"
      )
    }
    let region = values.text("region") ?? "us-east-1"
    let endpointText = values.text("endpoint") ?? "https://s3.\(region).amazonaws.com"
    guard let endpoint = URL(string: endpointText), endpoint.host != nil else {
      throw BackendError("repository.endpoint: '\(endpointText)' is not a URL")
    }
    var settings = S3Storage.Settings(
      endpoint: endpoint, bucket: bucket, prefix: prefix, region: region,
      pathStyle: values.flag("path_style") ?? (values.text("endpoint") != nil), accessKey: accessKey,
      secretKey: secretKey, sessionToken: values.text("session_token"))
    if let timeout = values.seconds("timeout") { settings.requestTimeout = timeout }
    settings.caFile = values.text("ca_file")
    // Object storage fails now and then (5xx, 429, dropped connections): retried.
    return RetryingStorage(try S3Storage(settings))
  }
}
