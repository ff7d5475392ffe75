import DatamancyConfig
import DatamancyRepository

/// The engines this tool runs, in one list: the configuration reads the source
/// types they declare, and every question about a source goes to its engine.
/// A caller may add its own (`EngineRegistry(builtIn.engines + [mine])`).
public struct EngineRegistry: Sendable {
  public let engines: [any SourceEngine]

  public init(_ engines: [any SourceEngine]) {
    let names = engines.flatMap(\.type.names)
    precondition(Set(names).count == names.count, "two engines spell their type the same: \(names)")
    self.engines = engines
  }

  public static let builtIn = EngineRegistry([
    FilesEngine(), CommandEngine(), PostgresEngine(), PostgresClusterEngine(), MariaDBEngine(), LDAPEngine(),
    RedisEngine(),
  ])

  /// The source types the configuration may use.
  public var types: [SourceType] { engines.map(\.type) }

  /// The engine that read `source`'s entry.
  public func engine(of source: SourceConfig) -> any SourceEngine {
    guard let engine = engines.first(where: { $0.type.name == source.type }) else {
      preconditionFailure("no engine reads source type '\(source.type)'")
    }
    return engine
  }

  /// What verify checks in each recorded kind of content, from every engine.
  public var contentChecks: [ItemContent: ContentCheck] {
    engines.reduce(into: [:]) { checks, engine in checks.merge(engine.contentChecks) { first, _ in first } }
  }

  /// Every check, in the engines' order: how items of sets that predate the
  /// record of their content are recognised by their first bytes.
  var recognisers: [ContentCheck] {
    var seen = Set<String>()
    return engines.flatMap { $0.contentChecks.sorted { $0.key.rawValue < $1.key.rawValue }.map(\.value) }
      .filter { $0.recognises != nil && seen.insert($0.name).inserted }
  }
}
