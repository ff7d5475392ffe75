import Foundation

/// An address or a network (`127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`), for
/// `serve.trusted_proxies`.
public struct AddressRange: Sendable, Equatable {
  let bytes: [UInt8]
  let prefix: Int

  public init?(_ text: String) {
    let parts = text.split(separator: "/", maxSplits: 1)
    guard let first = parts.first, let bytes = Self.parse(String(first)) else { return nil }
    let bits = bytes.count * 8
    if parts.count == 2 {
      guard let prefix = Int(parts[1]), (0...bits).contains(prefix) else { return nil }
      self.prefix = prefix
    } else {
      prefix = bits
    }
    self.bytes = bytes
  }

  public func contains(_ address: String) -> Bool {
    guard var other = Self.parse(address) else { return false }
    // An IPv4 client seen on an IPv6 socket: ::ffff:a.b.c.d.
    if other.count == 16, bytes.count == 4, other[0..<12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255] {
      other = Array(other[12...])
    }
    guard other.count == bytes.count else { return false }
    for bit in 0..<prefix where (bytes[bit / 8] ^ other[bit / 8]) & UInt8(0x80 >> (bit % 8)) != 0 {
      return false
    }
    return true
  }

  static func parse(_ text: String) -> [UInt8]? {
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
    var v6 = in6_addr()
    if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
    return nil
  }

  /// True for 127.0.0.0/8 and ::1 (and ::ffff:127.x).
  public static func isLoopback(_ address: String) -> Bool {
    AddressRange("127.0.0.0/8")!.contains(address) || AddressRange("::1")!.contains(address)
  }
}
