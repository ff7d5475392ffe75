import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writing to file descriptors: the one write loop.
public enum FileDescriptor {
  /// Writes all of `data` to `fd`, retrying after EINTR and short writes. Returns
  /// 0, or the errno of the write that failed (a write that takes nothing counts
  /// as EPIPE: the reader is gone). `errno` holds the same value afterwards.
  @discardableResult
  public static func writeAll(_ fd: Int32, _ data: some DataProtocol) -> Int32 {
    for region in data.regions {
      let failure = region.withUnsafeBytes { buffer -> Int32 in
        var done = 0
        while done < buffer.count {
          let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
          if n < 0 && errno == EINTR { continue }
          if n < 0 { return errno }
          if n == 0 { return EPIPE }
          done += n
        }
        return 0
      }
      if failure != 0 {
        errno = failure
        return failure
      }
    }
    return 0
  }
}
