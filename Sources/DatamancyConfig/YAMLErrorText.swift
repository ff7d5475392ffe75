import Foundation
import Yams

/// A YAML error as one message that names the line and quotes at most that line,
/// with secret-looking values hidden. The parser's own text quotes the whole file,
/// webhook tokens included, and names the first key of a mapping with a duplicate
/// rather than the duplicate.
enum YAMLErrorText {
  static func configError(_ error: YamlError, text: String, file: String) -> ConfigError {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    func quoted(_ line: Int) -> String {
      guard line >= 1, line <= lines.count else { return "" }
      return ": " + scrubbed(lines[line - 1]).trimmingCharacters(in: .whitespaces)
    }
    switch error {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      let during = context.map { " (\($0.text))" } ?? ""
      return ConfigError(
        file: file, key: "", line: mark.line,
        message: "not valid YAML: \(problem)\(during)\(quoted(mark.line))")
    case .duplicatedKeysInMapping(let duplicates, let context):
      let key = duplicates.sorted().first ?? ""
      let places = occurrences(of: key, in: lines, from: context.mark.line, column: context.mark.column)
      let line = places.count > 1 ? places[1] : context.mark.line
      let first = places.first.map { " (first on line \($0))" } ?? ""
      return ConfigError(
        file: file, key: "", line: line, message: "the key '\(key)' appears twice in one mapping\(first)")
    case .reader(let problem, _, _, _):
      return ConfigError(file: file, key: "", line: nil, message: "not valid YAML: \(problem)")
    default:
      return ConfigError(file: file, key: "", line: nil, message: "not valid YAML")
    }
  }

  /// The lines (1-based) where `key` starts an entry at the mapping's column, from
  /// the mapping's first line to where it ends (a line indented less).
  static func occurrences(of key: String, in lines: [String], from start: Int, column: Int) -> [Int] {
    var found: [Int] = []
    let indent = column - 1
    for number in max(1, start)...max(1, lines.count) where number <= lines.count {
      let line = lines[number - 1]
      let content = line.drop { $0 == " " }
      guard !content.isEmpty, !content.hasPrefix("#") else { continue }
      let depth = line.count - content.count
      if depth < indent && number > start { break }
      guard depth == indent else { continue }
      for candidate in [key, "\"\(key)\"", "'\(key)'"] {
        let rest = content.dropFirst(candidate.count)
        if content.hasPrefix(candidate), rest.drop(while: { $0 == " " }).hasPrefix(":") {
          found.append(number)
          break
        }
      }
    }
    return found
  }

  static let secretWords = ["password", "secret", "token", "key", "url", "auth", "credential"]

  /// A line with the value of a secret-looking key, and any URL's address past its
  /// host, replaced by `***`.
  static func scrubbed(_ line: String) -> String {
    var result = line
    if let colon = line.firstIndex(of: ":"),
      secretWords.contains(where: { line[..<colon].lowercased().contains($0) })
    {
      result = String(line[...colon]) + " ***"
    }
    return result.replacingOccurrences(
      of: #"([a-zA-Z][a-zA-Z0-9+.-]*://)[^\s"'}\],]*"#, with: "$1***", options: .regularExpression)
  }
}
