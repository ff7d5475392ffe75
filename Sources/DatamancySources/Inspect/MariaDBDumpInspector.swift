import DatamancyRepository
import Foundation

/// Reads a `mariadb-dump` as it streams: fingerprints every table from the rows of
/// its INSERT statements, and requires the dump's own completion trailer
/// (`-- Dump completed on ...`), which the tool writes only after the last table,
/// so a dump cut short is never taken for a complete one.
///
/// Rows are the parenthesized tuples of `INSERT INTO `t` VALUES (...),(...);`
/// (on one line, or one tuple a line as recent versions write them), split outside
/// quoted strings (which escape with backslashes); each tuple's text is hashed. The drill dumps the restored copy with the same tool and options,
/// which renders the same values the same way.
public final class MariaDBDumpInspector: StreamInspector {
  /// `rowHash`: the one to fingerprint with (a set's recorded one, to compare).
  public init(rowHash: RowHash.Version = .current) { fingerprints = FingerprintBuilder(rowHash: rowHash) }

  private var lines = RowSplitter()
  private var fingerprints: FingerprintBuilder
  private var lastLine: [UInt8] = []
  /// The table of the INSERT statement being read, until its closing `;`.
  private var table: String?
  private var depth = 0
  private var quoted = false
  /// A tuple continued from an earlier line (values with raw newlines).
  private var partialTuple: [UInt8]?

  static let insertPrefix = Array("INSERT INTO `".utf8)
  static let createPrefix = Array("CREATE TABLE `".utf8)
  /// How mariadb-dump creates the `mysql` database's log tables (general_log,
  /// slow_log, transaction_registry), whose data it never dumps: tables all the
  /// same, empty in the dump as in any copy loaded from it.
  static let createIfMissingPrefix = Array("CREATE TABLE IF NOT EXISTS `".utf8)
  static let trailer = Array("-- Dump completed".utf8)

  public func consume(_ bytes: UnsafeRawBufferPointer) {
    lines.split(bytes) { line in
      if table != nil {
        scan(line, from: 0)
      } else if line.starts(with: Self.insertPrefix),
        let name = Self.name(in: line, after: Self.insertPrefix.count)
      {
        table = name
        scan(line, from: Self.insertPrefix.count + name.utf8.count + 1)
      } else if let prefix = [Self.createPrefix, Self.createIfMissingPrefix].first(where: {
        line.starts(with: $0)
      }),
        let name = Self.name(in: line, after: prefix.count)
      {
        fingerprints.begin(name)
      }
      if !line.isEmpty { lastLine = Array(line.prefix(64)) }
    }
  }

  public func finish() throws -> [TableFingerprint]? {
    guard lastLine.starts(with: Self.trailer) else {
      throw IncompleteDump("the dump has no completion trailer: it was cut short")
    }
    return fingerprints.fingerprints
  }

  /// The backquoted name starting at `start`.
  static func name(in line: UnsafeRawBufferPointer, after start: Int) -> String? {
    guard let end = line[start...].firstIndex(of: UInt8(ascii: "`")) else { return nil }
    return String(decoding: line[start..<end], as: UTF8.self)
  }

  /// Finds the tuples of the current INSERT statement in `line`, from `start`.
  private func scan(_ line: UnsafeRawBufferPointer, from start: Int) {
    guard let table else { return }
    var tupleStart = partialTuple == nil ? -1 : 0
    var i = start
    while i < line.count {
      let c = line[i]
      if quoted {
        if c == 0x5C {  // a backslash escapes the next byte
          i += 1
        } else if c == 0x27 {
          quoted = false
        }
      } else if c == 0x27 {
        quoted = true
      } else if c == 0x28 {  // (
        if depth == 0 { tupleStart = i + 1 }
        depth += 1
      } else if c == 0x29 {  // )
        depth -= 1
        if depth == 0 { endTuple(line, tupleStart..<i, table: table) }
      } else if c == 0x3B && depth == 0 {  // ; ends the statement
        self.table = nil
        return
      }
      i += 1
    }
    if depth > 0 {
      // The tuple goes on in the next line: keep what it has so far.
      let from = max(tupleStart, 0)
      partialTuple = (partialTuple ?? []) + Array(line[from...]) + [0x0A]
    }
  }

  private func endTuple(_ line: UnsafeRawBufferPointer, _ range: Range<Int>, table: String) {
    if var partial = partialTuple {
      partial.append(contentsOf: line[0..<range.upperBound])
      partial.withUnsafeBytes { fingerprints.add(row: $0, to: table) }
      partialTuple = nil
    } else {
      fingerprints.add(row: UnsafeRawBufferPointer(rebasing: line[range]), to: table)
    }
  }
}
