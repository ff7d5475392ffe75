import Foundation

#if canImport(Glibc)
  import Glibc
#endif

extension Data {
  /// `count` bytes written by `fill` into memory that is not zero-filled first
  /// (`Data(count:)` clears every byte, a pass over memory that a read or a
  /// decompression overwrites at once); nil when `fill` returns false.
  public static func filling(count: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Bool) -> Data? {
    guard let memory = malloc(Swift.max(count, 1)) else { fatalError("out of memory for \(count) bytes") }
    guard fill(UnsafeMutableRawBufferPointer(start: memory, count: count)) else {
      free(memory)
      return nil
    }
    return Data(bytesNoCopy: memory, count: count, deallocator: .free)
  }
}
