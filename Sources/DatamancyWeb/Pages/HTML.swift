import Foundation

/// A piece of HTML. Interpolating a `String` escapes it; interpolating `HTML`
/// inserts it as is. Every name that comes from a database, a file system or a
/// configuration is a `String`, so it cannot become markup by mistake.
public struct HTML: ExpressibleByStringInterpolation, Sendable, CustomStringConvertible {
  public private(set) var text: String

  public init(stringLiteral value: String) { text = value }

  public init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

  init(raw: String) { text = raw }

  public var description: String { text }

  public struct Interpolation: StringInterpolationProtocol {
    var text = ""

    public init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity * 2) }

    public mutating func appendLiteral(_ literal: String) { text += literal }

    public mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }

    public mutating func appendInterpolation(_ value: HTML) { text += value.text }

    public mutating func appendInterpolation(_ values: [HTML]) { for value in values { text += value.text } }

    public mutating func appendInterpolation(_ value: Int) { text += String(value) }
  }

  /// Escapes the five characters that can end text or an attribute value, and
  /// shows control characters (a terminal's escape sequences, NUL) as their
  /// visible pictures (U+2400...) or U+FFFD; tab and line ends stay.
  public static func escape(_ text: String) -> String {
    var escaped = ""
    escaped.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
      switch character {
      case "&": escaped += "&amp;"
      case "<": escaped += "&lt;"
      case ">": escaped += "&gt;"
      case "\"": escaped += "&quot;"
      case "'": escaped += "&#39;"
      case "\t", "\n", "\r": escaped.unicodeScalars.append(character)
      case "\u{0}"..."\u{1F}": escaped.unicodeScalars.append(Unicode.Scalar(0x2400 + character.value)!)
      case "\u{7F}": escaped += "\u{2421}"
      case "\u{80}"..."\u{9F}": escaped += "\u{FFFD}"
      default: escaped.unicodeScalars.append(character)
      }
    }
    return escaped
  }

  /// A query value or path segment, percent-encoded.
  public static func urlComponent(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
  }

  static func join(_ parts: [HTML], separator: String = "") -> HTML {
    HTML(raw: parts.map(\.text).joined(separator: separator))
  }
}
