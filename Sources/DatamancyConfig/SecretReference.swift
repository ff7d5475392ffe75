/// Where a secret comes from. Secrets never live in the configuration file itself
/// and never on a command line that `ps` shows.
public enum SecretReference: Equatable, Sendable, CustomStringConvertible {
  /// An environment variable's value.
  case env(String)
  /// A file's content, without its trailing newline (such as /run/secrets/pw).
  case file(String)
  /// A program's standard output, without its trailing newline.
  case command([String])

  /// Describes where the secret comes from, never the secret.
  public var description: String {
    switch self {
    case .env(let name): return "environment variable \(name)"
    case .file(let path): return "file \(path)"
    case .command(let argv): return "command '\(argv.first ?? "")'"
    }
  }

  static func parse(_ node: ConfigNode) throws -> SecretReference {
    if case .scalar = node.node {
      throw node.error(
        "secrets are not written in the configuration; use { env: NAME }, { file: PATH } or { command: [...] }"
      )
    }
    let entries = try node.mapping(allowed: ["env", "file", "command"])
    guard entries.count == 1, let (key, value) = entries.first else {
      throw node.error("give exactly one of env, file or command")
    }
    switch key {
    case "env": return .env(try value.string())
    case "file": return .file(try value.string())
    default:
      let argv = try value.strings()
      guard !argv.isEmpty else { throw value.error("the command needs at least a program name") }
      return .command(argv)
    }
  }
}
