import DatamancyConfig
import DatamancyRepository
import DatamancySources
import Foundation

/// A server's roles and tablespaces, applied with `psql` (roles it already has,
/// the bootstrap superuser at least, are kept). The proof: every role the
/// script creates exists afterwards.
final class RolesRecoveryTarget: RecoveryTarget {
  let source: PostgresSource
  let context: RecoveryContext
  var server: String?

  init(source: PostgresSource, context: RecoveryContext) {
    self.source = source
    self.context = context
  }

  var description: String { "roles and tablespaces of \(source.name)" }

  /// Applying the roles changes no role the script does not name, and names
  /// only what the backup had: there is nothing to refuse.
  func occupant() throws -> String? {
    _ = try source.sql("SELECT 1")
    return nil
  }

  func preserve() throws -> String? { nil }

  func clear() throws {}

  func restore(_ item: BackupItem, of set: BackupSet) throws {
    try RolesRestorer(repository: context.repository, runner: context.operations.runner, source: source)
      .apply(item, of: set)
  }

  func check(_ item: BackupItem, of set: BackupSet) throws -> [DrillCheck] {
    var script = Data()
    try ChunkStreamer(repository: context.repository).stream(try ChunkStreamer.ids(of: item, set: set)) {
      script.append($0)
    }
    let wanted = Self.roles(in: String(decoding: script, as: UTF8.self))
    let found = Set(try source.sql("SELECT rolname FROM pg_roles").split(separator: "\n").map(String.init))
    let missing = wanted.filter { !found.contains($0) }
    return [
      DrillCheck(
        table: "roles", expectedRows: wanted.count, foundRows: wanted.count - missing.count,
        passed: missing.isEmpty,
        detail: missing.isEmpty
          ? "every role of the backup exists"
          : "missing: \(missing.prefix(5).joined(separator: ", "))")
    ]
  }

  /// The roles a `pg_dumpall --globals-only` script creates.
  static func roles(in script: String) -> [String] {
    script.split(separator: "\n").compactMap { line -> String? in
      guard line.hasPrefix("CREATE ROLE "), line.hasSuffix(";") else { return nil }
      let name = line.dropFirst("CREATE ROLE ".count).dropLast()
      guard name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 else { return String(name) }
      return name.dropFirst().dropLast().replacingOccurrences(of: "\"\"", with: "\"")
    }
  }
}
