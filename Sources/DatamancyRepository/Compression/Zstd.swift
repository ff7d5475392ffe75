import CZstd
import DatamancyPOSIX
import Foundation

/// zstd compression with a reusable context: creating one per chunk would cost
/// more than compressing a small chunk.
final class ZstdCompressor {
  private let context: OpaquePointer
  let level: Int32

  init(level: Int) {
    context = ZSTD_createCCtx()
    self.level = Int32(level)
  }

  deinit { ZSTD_freeCCtx(context) }

  /// The output space `compress` may need for `count` input bytes.
  static func bound(_ count: Int) -> Int { ZSTD_compressBound(count) }

  /// Compresses `input` into `output`; returns the compressed length, or nil when
  /// compressing would not make the data smaller.
  func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
    let written = ZSTD_compressCCtx(
      context, output.baseAddress, output.count, input.baseAddress, input.count, level)
    if ZSTD_isError(written) != 0 || written >= input.count { return nil }
    return written
  }
}

/// zstd decompression of a frame whose decompressed size is known from the index.
public final class ZstdDecompressor {
  private let context: OpaquePointer

  public init() { context = ZSTD_createDCtx() }
  deinit { ZSTD_freeDCtx(context) }

  /// Decompresses `input`, which must expand to exactly `rawLength` bytes.
  func decompress(_ input: UnsafeRawBufferPointer, rawLength: Int) -> Data? {
    Data.filling(count: rawLength) { out in
      let written = ZSTD_decompressDCtx(context, out.baseAddress, rawLength, input.baseAddress, input.count)
      return ZSTD_isError(written) == 0 && written == rawLength
    }
  }
}

/// How chunks are compressed: `none` or `zstd:LEVEL` in the configuration.
public enum Compression: Codable, Equatable, Sendable, CustomStringConvertible {
  case none
  case zstd(level: Int)

  public static let `default` = Compression.zstd(level: 3)

  /// Parses `none`, `zstd` or `zstd:N` (N from 1 to 19).
  public init?(text: String) {
    if text == "none" {
      self = .none
      return
    }
    if text == "zstd" {
      self = .default
      return
    }
    guard text.hasPrefix("zstd:"), let level = Int(text.dropFirst(5)), (1...19).contains(level)
    else { return nil }
    self = .zstd(level: level)
  }

  public var description: String {
    switch self {
    case .none: return "none"
    case .zstd(let level): return "zstd:\(level)"
    }
  }

  public init(from decoder: Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let value = Compression(text: text) else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: text))
    }
    self = value
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}
