import DatamancyRepository
import Foundation

/// Reads an LDIF export (slapcat or ldapsearch) as it streams: counts entries (one
/// `dn:` line each, the checksum over their DNs) and requires the export to end at
/// an entry boundary (a blank line), as both tools write it. Comment lines (`#`,
/// such as ldapsearch's paging cookie at the end) are ignored.
public final class LDIFInspector: StreamInspector {
  public init() {}

  private var lines = RowSplitter()
  private var fingerprints = FingerprintBuilder()
  private var lastLineEmpty = false
  private var sawLine = false

  public func consume(_ bytes: UnsafeRawBufferPointer) {
    lines.split(bytes) { line in
      if line.first == UInt8(ascii: "#") { return }
      sawLine = true
      lastLineEmpty = line.isEmpty
      if line.starts(with: Array("dn:".utf8)) { fingerprints.add(row: line, to: "entries") }
    }
  }

  public func finish() throws -> [TableFingerprint]? {
    guard sawLine, lastLineEmpty else {
      throw IncompleteDump("the LDIF export does not end after a complete entry")
    }
    return fingerprints.fingerprints
  }
}
