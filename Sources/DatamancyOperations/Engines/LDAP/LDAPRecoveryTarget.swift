import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// The configured directory, loaded online with `ldapadd -e relax` as the bind
/// DN (the directory's manager): every entry with its `entryUUID`, creator and
/// timestamps, into a server whose database for the base is empty. The proof:
/// the entries' DNs read back equal the fingerprints recorded at backup.
final class LDAPRecoveryTarget: RecoveryTarget {
  let source: LDAPSource
  let base: String
  let itemName: String
  let context: RecoveryContext

  init(source: LDAPSource, base: String, itemName: String, context: RecoveryContext) {
    self.source = source
    self.base = base
    self.itemName = itemName
    self.context = context
  }

  var description: String { "directory \(base) at \(source.settings.url ?? "")" }

  func run(_ program: String, _ arguments: [String], inspector: (any StreamInspector)? = nil) throws -> (
    text: String, fingerprints: [TableFingerprint]?
  ) {
    let run = try source.clientRun(program, arguments)
    defer { run.privateFiles?.remove() }
    return try context.operations.runner.output(run.argv, environment: run.environment, inspector: inspector)
  }

  /// The DNs under the base; none when the base entry does not exist (32).
  func listing(inspector: (any StreamInspector)? = nil) throws -> (
    text: String, fingerprints: [TableFingerprint]?
  ) {
    do {
      return try run(
        "ldapsearch", ["-LLL", "-o", "ldif-wrap=no", "-z", "0", "-b", base, "(objectClass=*)", "1.1"],
        inspector: inspector)
    } catch ProcessError.failed(_, .exited(32), _) {
      return ("", inspector == nil ? nil : [])
    }
  }

  func occupant() throws -> String? {
    let entries = try listing().text.split(separator: "\n").filter { $0.hasPrefix("dn:") }.count
    return entries > 0 ? Formatting.count(entries, "entry", "entries") : nil
  }

  func preserve() throws -> String? {
    try context.preserve(item: itemName, of: source, target: description)
  }

  func clear() throws { _ = try run("ldapdelete", ["-r", base]) }

  func restore(_ item: BackupItem, of set: BackupSet) throws {
    let run = try source.clientRun("ldapadd", ["-e", "relax"])
    defer { run.privateFiles?.remove() }
    let process = try context.operations.runner.start(
      run.argv, environment: run.environment, captureOutput: false, feedInput: true)
    try ItemRestorer(repository: context.repository, runner: context.operations.runner).feed(
      item, of: set, to: process, through: LDIFLoadFilter.filter())
  }

  func check(_ item: BackupItem, of set: BackupSet) throws -> [DrillCheck] {
    let found = try listing(inspector: LDIFInspector(rowHash: try .of(item.fingerprints))).fingerprints
    return FingerprintComparison.compare(recorded: item.fingerprints, found: found ?? [])
  }
}
