import ArgumentParser

/// Options every command takes.
public struct GlobalOptions: ParsableArguments {
  @Option(
    name: .long,
    help: "Configuration file (default: ./datamancy-backup.yml, then /etc/datamancy-backup/config.yml).")
  var config: String?

  @Option(name: .long, help: "Repository folder; overrides repository.path.")
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
}
