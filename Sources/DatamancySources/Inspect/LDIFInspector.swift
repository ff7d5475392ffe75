import DatamancyRepository
import Foundation

/// Reads an LDIF export (slapcat or ldapsearch) as it streams: counts entries (one
/// `dn:` line each, the checksum over their DNs) and requires the export to end at
/// an entry boundary (a blank line), as both tools write it. Comment lines (`#`,
/// such as ldapsearch's paging cookie at the end) are ignored. A long DN folded
/// over several lines (a continuation line begins with one space) is unfolded
/// first, so the checksum does not depend on the tool's line wrapping.
public final class LDIFInspector: StreamInspector {
  /// `rowHash`: the one to fingerprint with (a set's recorded one, to compare).
  public init(rowHash: RowHash.Version = .current) { fingerprints = FingerprintBuilder(rowHash: rowHash) }

  private var lines = RowSplitter()
  private var fingerprints: FingerprintBuilder
  private var lastLineEmpty = false
  private var sawLine = false
  /// The DN line being read, until a line that does not continue it.
  private var dn: [UInt8]?

  public func consume(_ bytes: UnsafeRawBufferPointer) {
    lines.split(bytes) { line in
      if line.first == UInt8(ascii: "#") { return }
      sawLine = true
      lastLineEmpty = line.isEmpty
      if dn != nil, line.first == UInt8(ascii: " ") {
        dn!.append(contentsOf: line.dropFirst())
        return
      }
      flushDN()
      if line.starts(with: Array("dn:".utf8)) { dn = Array(line) }
    }
  }

  private func flushDN() {
    guard let line = dn else { return }
    line.withUnsafeBytes { fingerprints.add(row: $0, to: "entries") }
    dn = nil
  }

  public func finish() throws -> [TableFingerprint]? {
    flushDN()
    guard sawLine, lastLineEmpty else {
      throw IncompleteDump("the LDIF export does not end after a complete entry")
    }
    return fingerprints.fingerprints
  }
}
