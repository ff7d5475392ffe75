import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// How verify checks one kind of item content, beyond every chunk
/// authenticating: a tool that must read it, an inspector whose fingerprints
/// must equal those recorded at backup, or both. Engines declare one per kind
/// of content their items record (`SourceEngine.contentChecks`).
public struct ContentCheck: Sendable {
  /// What the bytes are, for messages ("a pg_dump archive").
  public let name: String
  /// Whether an item's first bytes are of this kind; nil for a check that
  /// claims no bytes of its own (plain SQL, any bytes).
  public let recognises: (@Sendable (_ item: BackupItem, _ head: Data) -> Bool)?
  /// Starts checking one item: a sink for its bytes, then the verdict.
  public let start: @Sendable (_ item: BackupItem, _ runner: any ProcessRunner) throws -> Checking
  /// A command's output may be anything: its first bytes pick the check.
  public let picksByFirstBytes: Bool

  public init(
    name: String, recognises: (@Sendable (_ item: BackupItem, _ head: Data) -> Bool)?,
    start: @escaping @Sendable (_ item: BackupItem, _ runner: any ProcessRunner) throws -> Checking
  ) {
    self.init(name: name, recognises: recognises, picksByFirstBytes: false, start: start)
  }

  private init(
    name: String, recognises: (@Sendable (BackupItem, Data) -> Bool)?, picksByFirstBytes: Bool,
    start: @escaping @Sendable (BackupItem, any ProcessRunner) throws -> Checking
  ) {
    self.name = name
    self.recognises = recognises
    self.picksByFirstBytes = picksByFirstBytes
    self.start = start
  }

  /// One item being checked.
  public struct Checking {
    public let consume: (Data) throws -> Void
    /// What was checked; throws `ContentCheck.Failed` when the bytes fail.
    public let finish: () throws -> String

    public init(consume: @escaping (Data) throws -> Void, finish: @escaping () throws -> String) {
      self.consume = consume
      self.finish = finish
    }
  }

  public struct Failed: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
  }

  /// Bytes of no format this tool checks: every chunk read and authenticated.
  public static let unchecked = ContentCheck(name: "bytes of no format this tool checks", recognises: nil) {
    _, _ in Checking(consume: { _ in }, finish: { "every chunk read and authenticated" })
  }

  /// Any bytes: the check their first bytes call for, else none.
  public static let byFirstBytes = ContentCheck(
    name: "any bytes", recognises: nil, picksByFirstBytes: true, start: unchecked.start)

  /// A folder as tar: `tar --list` must read it to its end.
  public static let tarStream = ContentCheck(
    name: "a tar stream", recognises: { item, _ in item.format == .tar }
  ) { item, runner in
    try tool(["tar", "--list", "--file=-"], "tar read the folder to its end", item: item, runner: runner)
  }
}

extension ContentCheck {
  /// Feeds the item to a tool's standard input; the tool must succeed, and the
  /// inspector (if any) must find the recorded fingerprints.
  public static func tool(
    _ argv: [String], _ success: String, item: BackupItem, runner: any ProcessRunner,
    inspector: (any StreamInspector)? = nil
  ) throws -> Checking {
    let process = try runner.start(argv, environment: ["LC_ALL": "C"], captureOutput: false, feedInput: true)
    // A tool may stop reading once it has what it needs (pg_restore --list reads
    // only the table of contents); its exit status, not our write, is the verdict.
    var toolReading = true
    return Checking(
      consume: { data in
        data.withUnsafeBytes { inspector?.consume($0) }
        if toolReading {
          do { try process.write(data) } catch { toolReading = false }
        }
      },
      finish: {
        try process.checkSuccess()
        guard let inspector else { return success }
        return success + "; " + (try compare(inspector, item: item))
      })
  }

  /// Reads the item with an inspector alone: it must see a complete stream and
  /// the recorded fingerprints.
  public static func inspecting(_ inspector: any StreamInspector, item: BackupItem, what: String) -> Checking
  {
    Checking(
      consume: { data in data.withUnsafeBytes { inspector.consume($0) } },
      finish: { what + "; " + (try compare(inspector, item: item)) })
  }

  /// The inspector's verdict, and its fingerprints against the recorded ones.
  static func compare(_ inspector: any StreamInspector, item: BackupItem) throws -> String {
    let found: [TableFingerprint]?
    do {
      found = try inspector.finish()
    } catch {
      throw Failed("\(error: error)")
    }
    guard let recorded = item.fingerprints, let found else { return "no fingerprints recorded" }
    let differing = FingerprintComparison.compare(recorded: recorded, found: found).filter { !$0.passed }
    guard differing.isEmpty else {
      let tables = differing.map { "\($0.table): \($0.detail)" }.joined(separator: "; ")
      throw Failed("the stored stream's fingerprints differ from those recorded at backup (\(tables))")
    }
    return "fingerprints of \(Formatting.count(found.count, "table")) match"
  }
}
