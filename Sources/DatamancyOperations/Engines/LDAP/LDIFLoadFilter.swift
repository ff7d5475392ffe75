import Foundation

/// Drops from an export the attributes a server computes or refuses to be
/// given even under the relax control (`entryCSN`, `entryDN`,
/// `hasSubordinates`…), so `ldapadd -e relax` can load it while keeping each
/// entry's `entryUUID`, creator and timestamps. Works on a stream: lines cut
/// across chunks are held until complete, and an attribute folded over
/// several lines (slapcat wraps at 76 columns) is dropped whole.
struct LDIFLoadFilter {
  static let computed: Set<String> = [
    "entrycsn", "entrydn", "hassubordinates", "subschemasubentry", "structuralobjectclass", "contextcsn",
    "numsubordinates",
  ]

  /// A filter for `ItemRestorer.feed`, holding its own state.
  static func filter() -> ItemRestorer.Filter {
    let state = Box()
    return ItemRestorer.Filter(pass: { state.filter.filter($0) }, finish: { state.filter.finish() })
  }

  /// The filter's state, used by the one thread that feeds the client.
  private final class Box {
    var filter = LDIFLoadFilter()
  }

  private var pending = Data()
  private var dropping = false

  /// The complete lines of `data` (with what was held), filtered.
  mutating func filter(_ data: Data) -> Data {
    pending.append(data)
    guard let end = pending.lastIndex(of: 10) else { return Data() }
    let complete = pending[pending.startIndex...end]
    pending = Data(pending[(end + 1)...])
    return filterLines(complete)
  }

  /// What is left at the end of the stream.
  mutating func finish() -> Data {
    defer { pending = Data() }
    return pending.isEmpty ? Data() : filterLines(pending + Data([10]))
  }

  private mutating func filterLines(_ lines: Data) -> Data {
    var kept = Data(capacity: lines.count)
    for line in lines.split(separator: 10, omittingEmptySubsequences: false).dropLast() {
      if line.first == 32 {  // a continuation of the line before
        if !dropping { kept.append(contentsOf: line + [10]) }
        continue
      }
      dropping = Self.isComputed(line)
      if !dropping { kept.append(contentsOf: line + [10]) }
    }
    return kept
  }

  static func isComputed(_ line: Data) -> Bool {
    guard let colon = line.firstIndex(of: 58) else { return false }
    let attribute = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
    return computed.contains(String(attribute.split(separator: ";").first ?? ""))
  }
}
