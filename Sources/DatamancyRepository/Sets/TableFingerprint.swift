import Foundation

/// What a table (or an LDAP directory, or a Redis keyspace) held at backup time,
/// computed from the dump stream as it passed: the number of rows and an
/// order-independent checksum of them. A drill fingerprints the restored copy the
/// same way and compares.
public struct TableFingerprint: Codable, Sendable, Equatable {
  /// `schema.table` for PostgreSQL, `table` for MariaDB, `entries` for LDAP,
  /// `db<N>` for a Redis database.
  public var table: String
  /// Rows, entries, or keys.
  public var rows: Int
  /// Sum modulo 2^64 of `RowHash` of every row's text, as 16 hex digits: equal
  /// multisets of rows give equal sums whatever their order. Empty for Redis,
  /// whose snapshot carries its own CRC-64, checked when a server loads it.
  public var checksum: String
  /// Redis: how many of the keys have an expiry (they may be gone when restored).
  public var expiring: Int?
  /// The `RowHash.Version` of `checksum`; absent for version 1 (sets made before
  /// there was a choice).
  public var rowHash: Int?

  public init(table: String, rows: Int, checksum: String) {
    self.table = table
    self.rows = rows
    self.checksum = checksum
  }
}

/// A fast, deterministic 64-bit hash of one row's bytes. Not cryptographic: it
/// detects changed rows, it does not resist someone crafting collisions.
public enum RowHash {
  /// Which function a checksum was computed with. A set records it with its
  /// fingerprints; verify and drill recompute with the recorded one, so sets
  /// fingerprinted by an older version still compare.
  public enum Version: Int, Sendable {
    /// A multiply-xorshift per 8-byte word, one serial chain (~2.8 GB/s).
    case one = 1
    /// Two 128-bit multiply-folds per 32 bytes, as wyhash does (~7.8 GB/s): the
    /// per-row hashing was a tenth of a backup's CPU time with version 1.
    case two = 2

    public static let current = Version.two

    /// The version `recorded` fingerprints were computed with (1 when they do not
    /// say); throws for a version this program does not know.
    public static func of(_ recorded: [TableFingerprint]?) throws -> Version {
      let number = recorded?.first(where: { !$0.checksum.isEmpty })?.rowHash ?? 1
      guard let version = Version(rawValue: number) else { throw UnknownRowHash(version: number) }
      return version
    }
  }

  /// Fingerprints from a newer program, which this one cannot recompute.
  public struct UnknownRowHash: Error, CustomStringConvertible {
    public var version: Int
    public var description: String {
      "the fingerprints were recorded with row hash version \(version), which this version of datamancy-backup does not know; upgrade it to compare them"
    }
  }

  static let k0: UInt64 = 0x9E37_79B9_7F4A_7C15
  static let k1: UInt64 = 0xBF58_476D_1CE4_E5B9
  static let k2: UInt64 = 0x94D0_49BB_1331_11EB
  static let s1: UInt64 = 0xE703_7ED1_A0B4_28DB
  static let s2: UInt64 = 0x8EBC_6AF0_9C88_C6E3
  static let s3: UInt64 = 0x5899_65CC_7537_4CC3

  public static func hash(_ bytes: UnsafeRawBufferPointer, _ version: Version) -> UInt64 {
    switch version {
    case .one: return hash1(bytes)
    case .two: return hash2(bytes)
    }
  }

  static func hash1(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h = k0 ^ UInt64(bytes.count)
    var i = 0
    let count = bytes.count
    while i + 8 <= count {
      let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
      h = mix(h ^ word)
      i += 8
    }
    if i < count {
      var tail: UInt64 = 0
      for j in i..<count { tail |= UInt64(bytes[j]) << UInt64(8 * (j - i)) }
      h = mix(h ^ tail ^ 0xFF)
    }
    return mix(h)
  }

  static func mix(_ value: UInt64) -> UInt64 {
    var z = value &* k1
    z ^= z >> 31
    z = z &* k2
    return z ^ (z >> 29)
  }

  /// Two independent lanes of 16 bytes per multiply, then 16-byte steps, then the
  /// last 0–15 bytes (as two overlapping words when there are at least 8), with
  /// the length folded into the first and the last multiply.
  static func hash2(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    let count = bytes.count
    func word(_ offset: Int) -> UInt64 { bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
    var a = k0 ^ UInt64(count)
    var b = k1
    var i = 0
    while i + 32 <= count {
      a = fold(word(i) ^ s1, word(i + 8) ^ a)
      b = fold(word(i + 16) ^ s2, word(i + 24) ^ b)
      i += 32
    }
    a ^= b
    while i + 16 <= count {
      a = fold(word(i) ^ s1, word(i + 8) ^ a)
      i += 16
    }
    let rest = count - i
    var x: UInt64 = 0
    var y: UInt64 = 0
    if rest >= 8 {
      x = word(i)
      y = word(count - 8)
    } else {
      for j in 0..<rest { x |= UInt64(bytes[i + j]) << UInt64(8 * j) }
    }
    a = fold(x ^ s2, y ^ a ^ UInt64(rest))
    return fold(a ^ s3, UInt64(count) ^ k2)
  }

  /// The high and low halves of the 128-bit product, xored.
  static func fold(_ x: UInt64, _ y: UInt64) -> UInt64 {
    let product = x.multipliedFullWidth(by: y)
    return product.high ^ product.low
  }
}

/// Accumulates rows into fingerprints, table by table. A caller on a hot path
/// (ten million rows per GiB) counts and sums a table's rows itself and adds the
/// totals once (`add(rows:sum:to:)`); sums of row hashes add up in any order.
public struct FingerprintBuilder: Sendable {
  private var tables: [String] = []
  private var slots: [String: Int] = [:]
  private var rows: [Int] = []
  private var sums: [UInt64] = []

  public let rowHash: RowHash.Version

  public init(rowHash: RowHash.Version = .current) { self.rowHash = rowHash }

  /// The slot of `table`, created (with no rows) on first use.
  private mutating func slot(for table: String) -> Int {
    if let slot = slots[table] { return slot }
    slots[table] = tables.count
    tables.append(table)
    rows.append(0)
    sums.append(0)
    return tables.count - 1
  }

  /// Makes sure `table` appears, even with no rows.
  public mutating func begin(_ table: String) { _ = slot(for: table) }

  /// Adds `count` rows whose hashes (of this builder's version) sum to `sum`.
  public mutating func add(rows count: Int, sum: UInt64, to table: String) {
    let slot = slot(for: table)
    rows[slot] += count
    sums[slot] &+= sum
  }

  public mutating func add(row: UnsafeRawBufferPointer, to table: String) {
    add(rows: 1, sum: RowHash.hash(row, rowHash), to: table)
  }

  public var fingerprints: [TableFingerprint] {
    tables.indices.map { i in
      var fingerprint = TableFingerprint(
        table: tables[i], rows: rows[i], checksum: String(format: "%016llx", sums[i]))
      fingerprint.rowHash = rowHash == .one ? nil : rowHash.rawValue
      return fingerprint
    }
  }
}
