import Crypto
import Foundation

/// Content-defined chunking with FastCDC and normalized chunking (level 2).
///
/// A gear hash `h = (h << 1) + gear[byte]` rolls over the data; a chunk ends where
/// `h & mask == 0`. Before the average size a mask with two more bits makes a cut
/// four times less likely, after it a mask with two fewer bits makes it four times
/// more likely, which keeps sizes close to the average. The first `minSize` bytes
/// of a chunk are skipped, not hashed. The gear table is derived from the
/// repository's secret, so where chunks end does not reveal the content to someone
/// who sees only chunk sizes.
public struct Chunker: Sendable {
  public let parameters: ChunkerParameters
  /// 256 pseudo-random words, keyed per repository.
  let gear: [UInt64]
  let maskSmall: UInt64
  let maskLarge: UInt64

  public init(parameters: ChunkerParameters, seed: SymmetricKey) {
    self.parameters = parameters
    var table: [UInt64] = []
    table.reserveCapacity(256)
    var counter: UInt32 = 0
    while table.count < 256 {
      let block = HMAC<SHA256>.authenticationCode(
        for: withUnsafeBytes(of: counter.bigEndian) { Data($0) }, using: seed)
      let bytes = Array(block)
      for word in 0..<4 {
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(bytes[word * 8 + i]) }
        table.append(value)
      }
      counter += 1
    }
    gear = table
    let bits = parameters.averageSize.trailingZeroBitCount
    // The high bits of the gear hash depend on the last 64 bytes; test those.
    func mask(_ ones: Int) -> UInt64 { ones >= 64 ? ~0 : ((1 << UInt64(ones)) - 1) << UInt64(64 - ones) }
    maskSmall = mask(bits + 2)
    maskLarge = mask(max(1, bits - 2))
  }

  /// The length of the chunk that starts at `data`, given `count` bytes available.
  /// When `count` is below `maxSize` the caller must know it is the end of input.
  public func cut(_ data: UnsafePointer<UInt8>, count: Int) -> Int {
    if count <= parameters.minSize { return count }
    let normal = min(parameters.averageSize, count)
    let end = min(parameters.maxSize, count)
    return gear.withUnsafeBufferPointer { table -> Int in
      let g = table.baseAddress!
      var hash: UInt64 = 0
      var i = parameters.minSize
      while i < normal {
        hash = (hash << 1) &+ g[Int(data[i])]
        if hash & maskSmall == 0 { return i + 1 }
        i += 1
      }
      while i < end {
        hash = (hash << 1) &+ g[Int(data[i])]
        if hash & maskLarge == 0 { return i + 1 }
        i += 1
      }
      return end
    }
  }
}
