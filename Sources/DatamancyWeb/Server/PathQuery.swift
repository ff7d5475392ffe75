import Foundation

/// A path inside a folder item in a URL's query: its bytes percent-encoded both
/// ways, so names that are not UTF-8 survive the round trip.
public enum PathQuery {
  /// Path bytes for a query: every byte but letters, digits and `-._~/` as %XX,
  /// so names that are not UTF-8 survive the round trip.
  public static func encode(_ bytes: [UInt8]) -> String {
    var text = ""
    for byte in bytes {
      let scalar = Unicode.Scalar(byte)
      if byte < 128, CharacterSet.alphanumerics.contains(scalar) || "-._~/".unicodeScalars.contains(scalar) {
        text.unicodeScalars.append(scalar)
      } else {
        text += String(format: "%%%02X", byte)
      }
    }
    return text
  }

  /// One value of `encoded` as the bytes its percent-escapes give, UTF-8 or not
  /// (file names); empty when absent.
  public static func decode(_ encoded: String, _ name: String) -> [UInt8] {
    for pair in encoded.split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard parts.count == 2, parts[0] == name else { continue }
      var bytes: [UInt8] = []
      var rest = Array(parts[1].utf8)[...]
      while let byte = rest.popFirst() {
        if byte == UInt8(ascii: "%"), rest.count >= 2,
          let value = UInt8(String(decoding: rest.prefix(2), as: UTF8.self), radix: 16)
        {
          bytes.append(value)
          rest = rest.dropFirst(2)
        } else {
          bytes.append(byte == UInt8(ascii: "+") ? 32 : byte)
        }
      }
      return bytes
    }
    return []
  }
}
