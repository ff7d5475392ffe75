import DatamancyPOSIX
import DatamancyRepository
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The data regions of a sparse file, read in order as one stream: the holes
/// between them are not read, not stored, and come back as holes on restore.
public final class RegionStream: ByteStream {
  let fd: Int32
  let name: String
  private var regions: ArraySlice<Extent>
  private var done: UInt64 = 0

  public init(fd: Int32, name: String, regions: [Extent]) {
    self.fd = fd
    self.name = name
    self.regions = regions[...]
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    while let region = regions.first {
      let left = region.length - done
      if left == 0 {
        regions = regions.dropFirst()
        done = 0
        continue
      }
      let n = pread(fd, buffer.baseAddress, min(buffer.count, Int(left)), off_t(region.offset + done))
      if n < 0 {
        if errno == EINTR { continue }
        throw ReadFailed(name: name, reason: String(cString: strerror(errno)))
      }
      // The file shrank while read: the rest of the region is gone.
      if n == 0 { done = region.length } else { done += UInt64(n) }
      if n > 0 { return n }
    }
    return 0
  }
}

/// Owner and group names by id, looked up once each.
final class OwnerNames: @unchecked Sendable {
  private let lock = NSLock()
  private var users: [UInt32: [UInt8]] = [:]
  private var groups: [UInt32: [UInt8]] = [:]

  func user(_ uid: UInt32) -> [UInt8] {
    lock.withLock {
      if let name = users[uid] { return name }
      var buffer = [CChar](repeating: 0, count: 4096)
      var entry = passwd()
      var result: UnsafeMutablePointer<passwd>?
      let name: [UInt8] =
        getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0 && result != nil
        ? Array(String(cString: entry.pw_name).utf8) : []
      users[uid] = name
      return name
    }
  }

  func group(_ gid: UInt32) -> [UInt8] {
    lock.withLock {
      if let name = groups[gid] { return name }
      var buffer = [CChar](repeating: 0, count: 4096)
      var entry = Glibc.group()
      var result: UnsafeMutablePointer<Glibc.group>?
      let name: [UInt8] =
        getgrgid_r(gid, &entry, &buffer, buffer.count, &result) == 0 && result != nil
        ? Array(String(cString: entry.gr_name).utf8) : []
      groups[gid] = name
      return name
    }
  }
}
