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

  public init(table: String, rows: Int, checksum: String) {
    self.table = table
    self.rows = rows
    self.checksum = checksum
  }
}

/// A fast, deterministic 64-bit hash of one row's bytes (a multiply-xorshift over
/// 8-byte words, in the manner of wyhash). Not cryptographic: it detects changed
/// rows, it does not resist someone crafting collisions.
public enum RowHash {
  static let k0: UInt64 = 0x9E37_79B9_7F4A_7C15
  static let k1: UInt64 = 0xBF58_476D_1CE4_E5B9
  static let k2: UInt64 = 0x94D0_49BB_1331_11EB

  public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
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
}

/// Accumulates rows into fingerprints, table by table. Callers on a hot path look
/// a table's slot up once (`slot(for:)`) and add rows by slot.
public struct FingerprintBuilder: Sendable {
  private var tables: [String] = []
  private var slots: [String: Int] = [:]
  private var rows: [Int] = []
  private var sums: [UInt64] = []

  public init() {}

  /// The slot of `table`, created (with no rows) on first use.
  public mutating func slot(for table: String) -> Int {
    if let slot = slots[table] { return slot }
    slots[table] = tables.count
    tables.append(table)
    rows.append(0)
    sums.append(0)
    return tables.count - 1
  }

  /// Makes sure `table` appears, even with no rows.
  public mutating func begin(_ table: String) { _ = slot(for: table) }

  public mutating func add(row: UnsafeRawBufferPointer, slot: Int) {
    rows[slot] += 1
    sums[slot] &+= RowHash.hash(row)
  }

  public mutating func add(row: UnsafeRawBufferPointer, to table: String) {
    add(row: row, slot: slot(for: table))
  }

  public var fingerprints: [TableFingerprint] {
    tables.indices.map { i in
      TableFingerprint(table: tables[i], rows: rows[i], checksum: String(format: "%016llx", sums[i]))
    }
  }
}
