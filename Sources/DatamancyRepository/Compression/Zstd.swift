import CZstd
import DatamancyPOSIX
import Foundation

/// zstd compression with a reusable context: creating one per chunk would cost
/// more than compressing a small chunk. Every frame carries zstd's content
/// checksum (XXH64 of the input), which decompression verifies; it lets a restore
/// check a chunk's plaintext without recomputing its id (`PackFormat.openChunk`).
final class ZstdCompressor {
  private let context: OpaquePointer
  /// The level of every input; nil chooses one per input (`Compression.auto`).
  let level: Int32?
  /// The last input went at level 2 because the sealers were `behind`.
  private(set) var hurried = false

  init(level: Int?) {
    context = ZSTD_createCCtx()
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
    self.level = level.map(Int32.init)
  }

  deinit { ZSTD_freeCCtx(context) }

  /// The output space `compress` may need for `count` input bytes.
  static func bound(_ count: Int) -> Int { ZSTD_compressBound(count) }

  /// Compresses `input` into `output`; returns the compressed length, or nil when
  /// compressing would not make the data smaller. `behind`: the sealers are behind
  /// the source (`SealingPace`), which lets `Compression.auto` trade a few percent
  /// of some chunks' size for speed.
  func compress(
    _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, behind: Bool = false
  ) -> Int? {
    let chosen = level ?? chosenLevel(input, scratch: output, behind: behind)
    hurried = level == nil && chosen == 2
    return compress(input, into: output, level: chosen)
  }

  private func compress(
    _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, level: Int32
  ) -> Int? {
    // ZSTD_compress2, not ZSTD_compressCCtx: the latter ignores the checksum flag.
    ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
    let written = ZSTD_compress2(context, output.baseAddress, output.count, input.baseAddress, input.count)
    if ZSTD_isError(written) != 0 || written >= input.count { return nil }
    return written
  }

  /// Bytes from the middle of an input that `Compression.auto` compresses twice.
  static let sample = 32 << 10

  /// `Compression.auto`'s level: 3, or 1 when a sample of the input compresses
  /// poorly at level 3 (to more than a quarter) and no larger at level 1. On such
  /// data (hex or base64 text, numbers, media) level 3's extra matches cost more
  /// bits than they save: `bench/zstd` measures level 1 storing the hard hex data
  /// in 0.94 of level 3's bytes, compressing it twice as fast and decompressing it
  /// 1.7 times as fast. Where level 3 compresses well, its bytes matter more than
  /// its time (level 1 stores 1.16 times as much of the pgbench dump, level 2 1.14).
  /// The sample is 1/64 of an average chunk, compressed twice.
  ///
  /// Between the two, on data that level 3 compresses poorly but better than level 1
  /// (text such as CSV exports), level 2 stores 1.059 times level 3's bytes and
  /// compresses at 210 MB/s against 146 (`bench/zstd`, the text). Such a
  /// chunk goes at level 2 only when the sealers are `behind` the source, where
  /// compression bounds the backup's time; a source slower than the sealers (most
  /// dumps of a busy database) gets level 3's bytes at no cost in time. Like zstd's
  /// own `--adapt`, but bounded: never below level 2, and never for data that level
  /// 3 compresses well.
  private func chosenLevel(
    _ input: UnsafeRawBufferPointer, scratch: UnsafeMutableRawBufferPointer, behind: Bool
  ) -> Int32 {
    let sample = Self.sample
    guard input.count >= 2 * sample, scratch.count >= sample else { return 3 }
    let start = (input.count - sample) / 2
    let piece = UnsafeRawBufferPointer(rebasing: input[start..<start + sample])
    let out = UnsafeMutableRawBufferPointer(rebasing: scratch[..<sample])
    // Incompressible: the fastest level finds that out for the whole input too.
    guard let slow = compress(piece, into: out, level: 3) else { return 1 }
    guard slow * 4 > sample, let fast = compress(piece, into: out, level: 1) else { return 3 }
    if fast <= slow { return 1 }
    return behind ? 2 : 3
  }
}

/// zstd decompression of a frame whose decompressed size is known from the index.
public final class ZstdDecompressor {
  private let context: OpaquePointer

  public init() { context = ZSTD_createDCtx() }
  deinit { ZSTD_freeDCtx(context) }

  /// Whether `frame` is a zstd frame that carries a content checksum (bit 2 of the
  /// frame header descriptor that follows the magic number, RFC 8878 3.1.1.1.1).
  /// Frames written before checksums were turned on have none.
  static func hasChecksum(_ frame: UnsafeRawBufferPointer) -> Bool {
    frame.count > 4 && UInt32(littleEndian: frame.loadUnaligned(as: UInt32.self)) == 0xFD2F_B528
      && frame[4] & 0x04 != 0
  }

  /// Decompresses `input`, which must expand to exactly `rawLength` bytes; a frame
  /// with a checksum must match it.
  func decompress(_ input: UnsafeRawBufferPointer, rawLength: Int) -> Data? {
    Data.filling(count: rawLength) { out in
      let written = ZSTD_decompressDCtx(context, out.baseAddress, rawLength, input.baseAddress, input.count)
      return ZSTD_isError(written) == 0 && written == rawLength
    }
  }
}

/// How chunks are compressed (the configuration's `CompressionSetting`, as the
/// repository's config stores it).
public enum Compression: Codable, Equatable, Sendable, CustomStringConvertible {
  case none
  case zstd(level: Int)
  /// zstd at level 3, or at level 1 for chunks that level 3 compresses poorly and
  /// level 1 no worse, or at level 2 for chunks that level 3 compresses poorly but
  /// better than level 1 while the sealers are behind the source
  /// (`ZstdCompressor.chosenLevel`). The level is not stored: any zstd frame
  /// decompresses the same way.
  case auto

  public static let `default` = Compression.auto

  /// A compressor for new chunks; nil when they are stored as they are.
  func makeCompressor() -> ZstdCompressor? {
    switch self {
    case .none: return nil
    case .zstd(let level): return ZstdCompressor(level: level)
    case .auto: return ZstdCompressor(level: nil)
    }
  }

  public var description: String {
    switch self {
    case .none: return "none"
    case .zstd(let level): return "zstd:\(level)"
    case .auto: return "auto"
    }
  }

  /// The repository config's spelling (repository-format.md), a contract of
  /// its own: the configuration file's (`CompressionSetting`) may grow without
  /// changing what a repository holds.
  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    switch text {
    case "none": self = .none
    case "auto": self = .auto
    default:
      guard text.hasPrefix("zstd:"), let level = Int(text.dropFirst(5)), (1...19).contains(level) else {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: text))
      }
      self = .zstd(level: level)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}
