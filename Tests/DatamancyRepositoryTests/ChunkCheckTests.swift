import CZstd
import Crypto
import DatamancyRepository
import DatamancyStorage
import Foundation
import XCTest

/// How a read chunk's plaintext is checked: by the checksum of its zstd frame, or by
/// recomputing its id where the frame has none or where the reader asks for it
/// (`verify`, `check --read-data`). Each test reseals a forged payload under the
/// chunk's own id and key, as only a faulty writer could, and puts it where the
/// chunk was.
final class ChunkCheckTests: XCTestCase {
  var folder = ""

  override func setUp() { folder = NSTemporaryDirectory() + "chunk-check-" + UUID().uuidString }
  override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

  /// A repository holding one compressible item, and the location of its first chunk.
  private func makeRepository() throws -> (Repository, BackupSet, ChunkLocation) {
    let repository = try Fixtures.repository(LocalStorage(root: folder))
    let lines = (0..<4000).map { "row \($0),amount \($0 * 7 % 1000),day 2026-12-\($0 % 28 + 1)\n" }
    let set = try Fixtures.backup(Array(lines.joined().utf8), into: repository)
    let first = try ChunkStreamer.ids(of: set.items[0], set: set)[0]
    return (repository, set, try XCTUnwrap(repository.index.location(of: first)))
  }

  private func packPath(_ location: ChunkLocation) -> String {
    folder + "/data/\(location.pack.prefix(2))/\(location.pack)"
  }

  /// The chunk's payload (flag byte and zstd frame), opened as a restore opens it.
  private func payload(_ location: ChunkLocation, in repository: Repository) throws -> [UInt8] {
    let pack = try Data(contentsOf: URL(fileURLWithPath: packPath(location)))
    let start = Int(location.entry.offset)
    let sealed = pack[start..<start + Int(location.entry.length)]
    let box = try AES.GCM.SealedBox(combined: sealed)
    return [UInt8](
      try AES.GCM.open(box, using: repository.master.encryption, authenticating: location.entry.id.bytes))
  }

  /// Seals `payload` under the chunk's id and writes it over the chunk in its pack.
  private func replace(_ location: ChunkLocation, with payload: [UInt8], in repository: Repository) throws {
    let sealed = try AES.GCM.seal(
      payload, using: repository.master.encryption, authenticating: location.entry.id.bytes
    ).combined!
    XCTAssertEqual(sealed.count, Int(location.entry.length), "the forged chunk must fill the old one's place")
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: packPath(location)))
    try handle.seek(toOffset: UInt64(location.entry.offset))
    try handle.write(contentsOf: sealed)
    try handle.close()
  }

  /// `rawLength` zero bytes as a zstd frame (with or without a content checksum),
  /// padded by a skippable frame to `length` bytes: a chunk of the right length
  /// whose plaintext is not the one its id names.
  private func zeroFrame(rawLength: Int, length: Int, checksum: Bool) throws -> [UInt8] {
    let context = ZSTD_createCCtx()
    defer { ZSTD_freeCCtx(context) }
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, checksum ? 1 : 0)
    let zeros = [UInt8](repeating: 0, count: rawLength)
    var frame = [UInt8](repeating: 0, count: ZSTD_compressBound(rawLength))
    let written = ZSTD_compress2(context, &frame, frame.count, zeros, zeros.count)
    XCTAssertEqual(ZSTD_isError(written), 0)
    frame.removeSubrange(written...)
    let padding = length - frame.count - 8
    XCTAssertGreaterThanOrEqual(padding, 0)
    for value in [UInt32(0x184D_2A50), UInt32(padding)] {
      withUnsafeBytes(of: value.littleEndian) { frame.append(contentsOf: $0) }
    }
    return frame + [UInt8](repeating: 0, count: padding)
  }

  private func read(_ set: BackupSet, from repository: Repository, recomputeIDs: Bool = false) throws {
    var streamer = ChunkStreamer(repository: repository)
    streamer.recomputesIDs = recomputeIDs
    try streamer.stream(try ChunkStreamer.ids(of: set.items[0], set: set)) { _ in }
  }

  private func assertDamaged(_ body: @autoclosure () throws -> Void, in pack: String) {
    XCTAssertThrowsError(try body()) { error in
      guard case RepositoryError.damaged(let file, _) = error else { return XCTFail("\(error)") }
      XCTAssertEqual(file, "data/\(pack.prefix(2))/\(pack)")
    }
  }

  func testNewChunksCarryAChecksumThatARestoreVerifies() throws {
    let (repository, set, location) = try makeRepository()
    var payload = try payload(location, in: repository)
    XCTAssertEqual(payload[0], 1, "a compressible chunk is stored as a zstd frame")
    XCTAssertEqual(Array(payload[1..<5]), [0x28, 0xB5, 0x2F, 0xFD], "zstd's magic number")
    XCTAssertEqual(payload[5] & 0x04, 0x04, "the frame header announces a content checksum")
    XCTAssertNoThrow(try read(set, from: repository))

    // The frame's last four bytes are the checksum; the data blocks stay intact, so
    // the plaintext still has its id and only the checksum can catch this.
    payload[payload.count - 1] ^= 0x01
    try replace(location, with: payload, in: repository)
    assertDamaged(try read(set, from: repository), in: location.pack)
  }

  /// A repository whose first chunk was replaced by a frame of zeros of its length,
  /// sealed under its id.
  private func forgeZeros(checksum: Bool) throws -> (Repository, BackupSet, ChunkLocation) {
    let (repository, set, location) = try makeRepository()
    let length = try payload(location, in: repository).count - 1
    let forged = try zeroFrame(rawLength: Int(location.entry.rawLength), length: length, checksum: checksum)
    try replace(location, with: [1] + forged, in: repository)
    return (repository, set, location)
  }

  func testAFrameWithoutChecksumIsCheckedAgainstTheChunkID() throws {
    let (repository, set, location) = try forgeZeros(checksum: false)
    assertDamaged(try read(set, from: repository), in: location.pack)
  }

  /// A sound frame of other bytes under the chunk's id: no damage since the seal, a
  /// fault at backup between hashing a chunk and compressing it. A restore trusts
  /// the seal and the frame; `verify` and `check --read-data` recompute the id.
  func testRecomputingIDsFindsAChunkWhoseSoundFrameHoldsOtherBytes() throws {
    let (repository, set, location) = try forgeZeros(checksum: true)
    XCTAssertNoThrow(try read(set, from: repository))
    assertDamaged(try read(set, from: repository, recomputeIDs: true), in: location.pack)
  }
}
