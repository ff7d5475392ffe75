import ArgumentParser

/// Options every command takes.
public struct GlobalOptions: ParsableArguments {
  @Option(
    name: [.customShort("c"), .long],
    help: "Configuration file (default: ./datamancy-backup.yml, then /etc/datamancy-backup/config.yml).")
  var config: String?

  @Option(
    name: [.customShort("r"), .long],
    help:
      "Repository (a folder or s3://BUCKET/PREFIX); overrides repository.path and DATAMANCY_BACKUP_REPOSITORY."
  )
  var repo: String?

  @Flag(name: .long, help: "Print machine-readable JSON on standard output.")
  var json = false

  @Flag(name: .shortAndLong, help: "Log more detail to standard error.")
  var verbose = false

  @Flag(name: .shortAndLong, help: "No progress display.")
  var quiet = false

  @Flag(
    name: .customLong("no-lock"),
    help:
      "Read without locking the repository (commands that only read: snapshots, dump, restore, check, verify, status)."
  )
  var noLock = false

  public init() {}

  /// The options above that take a value, and those that do not: what
  /// `hoisted(_:)` may move.
  static let valued: Set<String> = ["-c", "--config", "-r", "--repo"]
  static let flags: Set<String> = ["--json", "-v", "--verbose", "-q", "--quiet", "--no-lock"]

  /// The arguments with global options given before the subcommand moved to the
  /// end, where the subcommand parses them: `datamancy-backup -c FILE snapshots` as
  /// restic users type it.
  static func hoisted(_ arguments: [String]) -> [String] {
    var leading: [String] = []
    var rest = arguments[...]
    while let first = rest.first {
      let name = String(first.split(separator: "=", maxSplits: 1)[0])
      if flags.contains(first) {
        leading.append(first)
        rest = rest.dropFirst()
      } else if valued.contains(name), first.contains("=") {
        leading.append(first)
        rest = rest.dropFirst()
      } else if valued.contains(first), rest.count >= 2 {
        leading += rest.prefix(2)
        rest = rest.dropFirst(2)
      } else {
        break
      }
    }
    guard !leading.isEmpty, !rest.isEmpty else { return arguments }
    return Array(rest) + leading
  }
}
