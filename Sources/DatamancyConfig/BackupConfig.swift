import Foundation
import Yams

/// The whole configuration file (see README, "Configuration").
public struct BackupConfig: Sendable {
  public var repository = RepositorySettings()
  /// `repositories:`: other repositories by name (copy targets), in file order.
  public var repositories: [(name: String, settings: RepositorySettings)] = []
  /// `copy_to:`: names from `repositories:` that `backup` copies to after a run.
  public var copyTo: [String] = []
  /// Sources in file order.
  public var sources: [SourceConfig] = []
  /// How many items are dumped at once; nil means the number of cores.
  public var concurrency: Int?
  /// `cpus:`: the CPUs this process and the tools it starts may run on; nil means
  /// all. `cpusLine` is where the key is, for an error when the host lacks them.
  public var cpus: [Int]?
  public var cpusLine: Int?
  /// A file that receives the log as well as standard error.
  public var logFile: String?
  /// `verify: { max_age: 36h, shrink: 50% }`: seconds, and a fraction.
  public var verifyMaxAge: Double?
  public var verifyShrink: Double?
  /// `drill: { items: [...], rto: 4h }`: the items a drill restores by default
  /// (every database item when empty), and the recovery time it must meet.
  public var drillItems: [String] = []
  public var drillRTO: Double = 4 * 3600
  /// `drill` without a set or items (the scheduled one) drills the whole stack
  /// (`drill --cluster`).
  public var drillCluster = false
  /// `retention:`; nil when the file has none.
  public var retention: RetentionSettings?
  public var schedule = ScheduleSettings()
  public var notify: [NotifyTarget] = []
  /// `serve:`: the dashboard and the metrics.
  public var serve = ServeSettings()
  public var serveListen: String? { serve.listen }
  /// The text this configuration was read from: every backup set carries it
  /// (secrets are references in it, never values), so that `config restore`
  /// can bring it back when the host is lost. Nil for a configuration made in code.
  public var text: String?

  public init() {}

  /// Keys of later features that are accepted and kept for them.
  static let reservedKeys: Set<String> = []

  /// Parses YAML text; `file` names the file in messages. `types` are the
  /// source types `sources:` may use.
  public static func parse(_ text: String, file: String, types: [SourceType] = SourceType.builtIn) throws
    -> BackupConfig
  {
    let root: Node
    do {
      guard let parsed = try Yams.compose(yaml: text) else { return BackupConfig() }
      root = parsed
    } catch let error as YamlError {
      throw YAMLErrorText.configError(error, text: text, file: file)
    }
    var config = BackupConfig()
    config.text = text
    var copyToNode: ConfigNode?
    let top = ConfigNode(node: root, path: "", file: file)
    let allowed = Set([
      "repository", "sources", "concurrency", "cpus", "log", "verify", "drill", "retention", "schedule",
      "notify", "serve", "repositories", "copy_to",
    ]).union(reservedKeys)
    for (key, value) in try top.mapping(allowed: allowed) {
      switch key {
      case "repository": config.repository = try RepositorySettings.parse(value)
      case "repositories":
        config.repositories = try value.mapping().map { name, node in
          let settings = try RepositorySettings.parse(node)
          guard settings.path != nil else {
            throw node.error("expected a path (a folder or s3://BUCKET/PREFIX)")
          }
          return (name, settings)
        }
      case "copy_to":
        config.copyTo = try value.strings(single: true)
        copyToNode = value
      case "sources":
        config.sources = try value.mapping().map { name, node in
          try SourceConfig.parse(name: name, node, types: types)
        }
      case "concurrency": config.concurrency = try value.int(in: 1...256)
      case "cpus":
        config.cpus = try CPUList.parse(value)
        config.cpusLine = value.line
      case "log": config.logFile = try value.string()
      case "verify":
        for (key, setting) in try value.mapping(allowed: ["max_age", "shrink"]) {
          if key == "max_age" {
            let seconds = try setting.duration(examples: "36h or 7d")
            config.verifyMaxAge = seconds
          } else {
            let text = try setting.string()
            guard let percent = Double(text.hasSuffix("%") ? String(text.dropLast()) : text), percent > 0,
              percent < 100
            else { throw setting.error("expected a percentage between 0 and 100, such as 50%") }
            config.verifyShrink = percent / 100
          }
        }
      case "retention": config.retention = try RetentionSettings.parse(value)
      case "schedule": config.schedule = try ScheduleSettings.parse(value)
      case "serve": config.serve = try ServeSettings.parse(value)
      case "notify":
        if case .sequence = value.node {
          config.notify = try value.sequence().map(NotifyTarget.parse)
        } else {
          config.notify = [try NotifyTarget.parse(value)]
        }
      case "drill":
        for (key, setting) in try value.mapping(allowed: ["items", "rto", "cluster"]) {
          if key == "items" {
            config.drillItems = try setting.strings(single: true)
          } else if key == "cluster" {
            config.drillCluster = try setting.bool()
          } else {
            let seconds = try setting.duration(examples: "30m, 4h or 1d")
            config.drillRTO = seconds
          }
        }
      default: break
      }
    }
    for name in config.copyTo where !config.repositories.contains(where: { $0.name == name }) {
      throw copyToNode!.error("'\(name)' is not one of the repositories named under 'repositories:'")
    }
    return config
  }

  /// Reads and parses a file. A file that cannot be read says why; text that is
  /// not UTF-8 names its first bad line (a path that is not UTF-8 cannot be named
  /// in a configuration).
  public static func load(path: String, types: [SourceType] = SourceType.builtIn) throws -> BackupConfig {
    func refuse(_ message: String, line: Int? = nil) -> ConfigError {
      ConfigError(file: path, key: "", line: line, message: message)
    }
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw refuse("the configuration file does not exist")
    }
    guard !isFolder.boolValue else { throw refuse("this is a folder; --config names the configuration file") }
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      let reason = access(path, R_OK) != 0 ? String(cString: strerror(errno)) : "\(error)"
      throw refuse("cannot read the configuration file: \(reason)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      var line = 1
      for part in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
        if String(data: Data(part), encoding: .utf8) == nil { break }
        line += 1
      }
      throw refuse("not UTF-8 text: paths and names must be valid UTF-8", line: line)
    }
    return try parse(text, file: path, types: types)
  }
}
