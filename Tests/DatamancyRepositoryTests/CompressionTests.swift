import DatamancyPOSIX
import DatamancyRepository
import DatamancyStorage
import Foundation
import XCTest

/// `auto` compresses each chunk at zstd level 3, or at level 1 where a sample shows
/// level 3 compressing poorly and level 1 no worse, or at level 2 where level 3
/// compresses poorly but better than level 1 and the source outruns the sealers;
/// every chunk restores the same.
final class CompressionTests: XCTestCase {
  /// What a repository stores of `data` under `compression`, after checking the set
  /// restores byte for byte. `behind`: the sealers count as behind the source (or
  /// not) for every batch, whatever this machine's speed; nil: as measured.
  /// `smallChunks`: 256 KiB on average, so that a few megabytes make dozens of
  /// chunks and batches. Every call of one test stores into a copy of the same
  /// empty repository: one key, so the same chunk boundaries, and sizes differ by
  /// the compression alone (two keys cut 12 MiB of text into chunks whose sizes
  /// at one level differ by up to 1.6 %).
  private func stored(
    _ data: [UInt8], _ compression: Compression, behind: Bool? = nil, smallChunks: Bool = false
  ) throws -> StoredStream {
    let template = try self.template(smallChunks: smallChunks)
    let copy = MemoryStorage()
    for name in try template.list(prefix: "") { try copy.put(name, data: try template.get(name)) }
    let repository = try Repository.open(storage: copy, password: Fixtures.password)
    let (set, stored) = try Fixtures.store(
      MemoryStream(data), into: repository, compression: compression, behind: behind)
    XCTAssertEqual(try Fixtures.restore(set, from: repository), data, "\(compression)")
    return stored
  }

  private var templates: [Bool: MemoryStorage] = [:]

  /// The empty repository (config and key) this test's stores copy.
  private func template(smallChunks: Bool) throws -> MemoryStorage {
    if let made = templates[smallChunks] { return made }
    var options = InitOptions()
    options.kdfCost = 1024
    if smallChunks {
      options.chunker = ChunkerParameters(minSize: 64 << 10, averageSize: 256 << 10, maxSize: 512 << 10)
    }
    let storage = MemoryStorage()
    _ = try Fixtures.repository(storage, options: options)
    templates[smallChunks] = storage
    return storage
  }

  private func storedBytes(_ data: [UInt8], _ compression: Compression) throws -> Int {
    try stored(data, compression).storedBytes
  }

  /// Rows of 64 hex digits, like the md5 columns of a dump: 4 bits of entropy per
  /// byte, few matches worth coding.
  private func hexRows(_ count: Int) -> [UInt8] {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(count)
    for (i, byte) in Fixtures.bytes(count / 2).enumerated() {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 15)])
      if i % 32 == 31 { out.append(UInt8(ascii: "\n")) }
    }
    return out
  }

  /// CSV rows of names, cities, amounts, dates and comments, words drawn with
  /// English letter frequencies (as bench/run's text data): level 3's matches pay off.
  private func textRows(_ count: Int) -> [UInt8] {
    var random = Fixtures.XorShift(seed: 7)
    func next(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
    let letters = Array("etaoinshrdlcumwfgypbvkjxqz")
    let weights = [12, 9, 8, 8, 7, 7, 6, 6, 6, 4, 4, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]
    let pool = zip(letters, weights).flatMap { Array(repeating: $0, count: $1) }
    let words = (0..<5000).map { _ in String((0..<(3 + next(8))).map { _ in pool[next(pool.count)] }) }
    var out: [UInt8] = []
    out.reserveCapacity(count + 256)
    var row = 0
    while out.count < count {
      row += 1
      let comment = (0..<(4 + next(12))).map { _ in words[next(words.count)] }.joined(separator: " ")
      let line =
        "\(row),\(words[next(words.count)].capitalized),\(words[next(words.count)].capitalized),"
        + "\(words[next(400)].capitalized),\(next(1_000_000) / 100).\(next(100)),"
        + "2026-\(1 + next(12))-\(1 + next(28)),\(comment)\n"
      out.append(contentsOf: Array(line.utf8))
    }
    return out
  }

  // Within 1 %: where `auto` chooses by a sample, a few chunks may go at
  // another level than most.
  private func assertClose(
    _ a: Int, _ b: Int, _ message: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertLessThan(
      abs(Double(a - b)) / Double(b), 0.01, "\(a) against \(b): \(message)", file: file, line: line)
  }

  func testHexDataGoesAtLevelOne() throws {
    let hex = hexRows(6 << 20)
    let (hexAuto, hexOne, hexThree) = (
      try stored(hex, .auto, behind: true, smallChunks: true),
      try stored(hex, .zstd(level: 1), smallChunks: true),
      try stored(hex, .zstd(level: 3), smallChunks: true)
    )
    XCTAssertLessThan(
      Double(hexOne.storedBytes), 0.99 * Double(hexThree.storedBytes), "level 1 stores less of hex data")
    assertClose(hexAuto.storedBytes, hexOne.storedBytes, "hex chunks at level 1")
    // Level 1 by merit even while the sealers are behind: now and then one
    // chunk's sample favours level 2; never more than a few.
    XCTAssertLessThan(hexAuto.hurriedChunks * 4, hexAuto.chunks.count, "\(hexAuto.hurriedChunks) hurried")
  }

  func testTextGoesAtLevelThreeUnlessTheSealersAreBehind() throws {
    let text = textRows(12 << 20)
    let (one, two, three) = (
      try stored(text, .zstd(level: 1), smallChunks: true),
      try stored(text, .zstd(level: 2), smallChunks: true),
      try stored(text, .zstd(level: 3), smallChunks: true)
    )
    XCTAssertLessThan(
      Double(two.storedBytes), 0.97 * Double(one.storedBytes), "level 2 stores less than level 1")
    XCTAssertLessThan(
      Double(three.storedBytes), 0.95 * Double(one.storedBytes), "level 3 stores less of text")
    XCTAssertEqual(
      one.hurriedChunks + two.hurriedChunks + three.hurriedChunks, 0, "a fixed level is never hurried")
    let ahead = try stored(text, .auto, behind: false, smallChunks: true)
    XCTAssertEqual(ahead.hurriedChunks, 0, "sealers keeping up: every chunk at level 3")
    assertClose(ahead.storedBytes, three.storedBytes, "every text chunk at level 3")
    let behind = try stored(text, .auto, behind: true, smallChunks: true)
    // A chunk's sample may now and then fall on rows level 3 compresses well:
    // nearly every one goes at level 2.
    XCTAssertGreaterThan(
      behind.hurriedChunks, behind.chunks.count * 9 / 10, "sealers behind: text chunks at level 2")
    assertClose(behind.storedBytes, two.storedBytes, "every text chunk at level 2, none at level 1")
  }

  /// The pace as `SealingPace` measures it, on a clock the test moves: behind once
  /// the sealers waited less than a tenth of their time over three batches, caught
  /// up only past a quarter.
  func testThePaceIsJudgedByTheSealersWaiting() {
    let time = Locked<UInt64>(0)
    let pace = SealingPace(workers: 2, clock: { time.value })
    func batch(seconds: UInt64, idleShare: Double) -> Bool {
      time.withLock { $0 += seconds * 1_000_000_000 }
      pace.waited(UInt64(Double(seconds * 2_000_000_000) * idleShare))
      return pace.behind()
    }
    XCTAssertFalse(pace.behind(), "the first batch: nothing to judge")
    XCTAssertFalse(batch(seconds: 1, idleShare: 0), "not before three batches")
    XCTAssertTrue(batch(seconds: 1, idleShare: 0), "never waiting: behind")
    XCTAssertTrue(batch(seconds: 1, idleShare: 0.2))
    // 0.4 of 3 batches' 6 core-seconds waited, then 0.8: between the two bounds.
    XCTAssertTrue(batch(seconds: 1, idleShare: 0.2), "waiting a little: still behind")
    XCTAssertFalse(batch(seconds: 3, idleShare: 0.6), "waiting much of the time: caught up")
    for _ in 0..<3 {
      XCTAssertFalse(batch(seconds: 1, idleShare: 0.2), "a little waiting does not make it behind again")
    }
  }

  func testIncompressibleDataIsStoredAsItIs() throws {
    let random = Fixtures.bytes(4 << 20, seed: 3)
    assertClose(try storedBytes(random, .auto), try storedBytes(random, Compression.none), "random bytes")
  }

  func testSettingsText() throws {
    XCTAssertEqual(Compression.default, .auto)
    XCTAssertEqual(Compression.auto.description, "auto")
    let encoded = try JSONEncoder().encode([Compression.auto])
    XCTAssertEqual(try JSONDecoder().decode([Compression].self, from: encoded), [.auto])
  }

  func testAutoIsStoredSoThatFixedLevelVersionsReadLevelThree() throws {
    let config = RepositoryConfig(
      id: "00", created: Date(timeIntervalSince1970: 0), chunker: .default, packSize: 1 << 20,
      compression: .auto)
    let json = try JSONEncoder().encode(config)
    let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
    XCTAssertEqual(object["compression"] as? String, "zstd:3")
    XCTAssertEqual(object["autoLevel"] as? Bool, true)
    XCTAssertEqual(try JSONDecoder().decode(RepositoryConfig.self, from: json).compression, .auto)
    var fixed = config
    fixed.compression = .zstd(level: 5)
    let fixedJSON = try JSONEncoder().encode(fixed)
    XCTAssertNil((try JSONSerialization.jsonObject(with: fixedJSON) as? [String: Any])?["autoLevel"])
    XCTAssertEqual(try JSONDecoder().decode(RepositoryConfig.self, from: fixedJSON), fixed)
  }
}
