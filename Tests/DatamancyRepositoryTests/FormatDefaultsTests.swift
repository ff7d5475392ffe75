import DatamancyRepository
import Foundation
import XCTest

/// docs/repository-format.md is the byte-level contract: its table of defaults
/// must say what the code does.
final class FormatDefaultsTests: XCTestCase {
  static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("docs/repository-format.md")

  /// The rows of the `| default | value |` table, as name → value.
  func documentedDefaults() throws -> [String: String] {
    let text = try String(contentsOf: Self.document, encoding: .utf8)
    let lines = text.split(separator: "\n").map(String.init)
    guard let header = lines.firstIndex(of: "| default | value |") else {
      XCTFail("no '| default | value |' table in \(Self.document.path)")
      return [:]
    }
    var rows: [String: String] = [:]
    for line in lines[(header + 2)...] {
      guard line.hasPrefix("|") else { break }
      let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
      XCTAssertEqual(cells.count, 2, "a row of two cells: \(line)")
      if cells.count == 2 { rows[cells[0]] = cells[1] }
    }
    return rows
  }

  /// `512 KiB`, `4 MiB`, `32768` as a number; nil for anything else.
  func number(_ text: String?) -> Int? {
    guard let parts = text?.split(separator: " "), let value = parts.first.flatMap({ Int($0) }) else {
      return nil
    }
    switch parts.count == 2 ? String(parts[1]) : "" {
    case "": return value
    case "KiB": return value << 10
    case "MiB": return value << 20
    default: return nil
    }
  }

  func testTheFormatDocumentStatesTheCodesDefaults() throws {
    let rows = try documentedDefaults()
    let code: [String: Int] = [
      "chunk minimum": ChunkerParameters.default.minSize,
      "chunk average": ChunkerParameters.default.averageSize,
      "chunk maximum": ChunkerParameters.default.maxSize,
      "pack size": RepositoryConfig.defaultPackSize,
      "scrypt N": KeyFile.KDF.defaultCost,
      "scrypt r": KeyFile.KDF.defaultBlockSize,
      "scrypt p": KeyFile.KDF.defaultParallelism,
    ]
    XCTAssertEqual(Set(rows.keys), Set(code.keys), "the table's rows")
    for (name, value) in code {
      XCTAssertEqual(number(rows[name]), value, "\(name): the document says \(rows[name] ?? "nothing")")
    }
  }
}
