import CLinux
import DatamancyPOSIX
import DatamancyRepository
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Reading files' content into the repository, several at once.
extension TreeScanner {
  /// Reads files on up to `width` threads; each result in its input's place.
  func readFiles(_ files: [(path: [UInt8], relative: [UInt8], entry: TreeEntry, old: TreeEntry?)])
    -> [Result<TreeEntry, any Error>]
  {
    BoundedParallel.map(files.count, width: width) { i in
      try self.readFile(files[i].path, relative: files[i].relative, entry: files[i].entry, old: files[i].old)
    }
  }

  /// Reads one file's content into the repository: again once if it changed
  /// while read, and then with a warning.
  func readFile(_ path: [UInt8], relative: [UInt8], entry: TreeEntry, old: TreeEntry?) throws
    -> TreeEntry
  {
    let linkKey = [entry.device, entry.inode]
    if entry.links > 1, let known = state.withLock({ $0.linked[linkKey] }) {
      var linked = entry
      (linked.chunks, linked.extents) = (known.chunks, known.extents)
      return linked
    }
    state.withLock { $0.current = shown(relative) }
    let fd = FileSystem.withPath(path) { open($0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK) }
    guard fd >= 0 else { throw FileSystem.Failure("open", path) }
    defer { close(fd) }
    var result = entry
    for attempt in 0..<2 {
      var before = stat()
      guard fstat(fd, &before) == 0 else { throw FileSystem.Failure("read the attributes of", path) }
      let sparse = Int64(before.st_blocks) * 512 < Int64(before.st_size)
      let regions = sparse ? FileSystem.dataRegions(fd, size: Int64(before.st_size)) : nil
      let stored: StoredStream
      if regions == nil && Int(before.st_size) <= wholeFileLimit {
        stored = try readWhole(fd, path: path, expected: Int(before.st_size))
      } else {
        let whole = [Extent(offset: 0, length: UInt64(before.st_size))]
        stored = try session.store(
          RegionStream(fd: fd, name: String(decoding: path, as: UTF8.self), regions: regions ?? whole))
      }
      var after = stat()
      guard fstat(fd, &after) == 0 else { throw FileSystem.Failure("read the attributes of", path) }
      result.chunks = stored.chunks
      result.extents = regions
      result.size = regions == nil ? UInt64(stored.rawBytes) : UInt64(after.st_size)
      result.mtime = after.modificationTime
      result.ctime = after.changeTime
      let settled = after.st_size == before.st_size && after.modificationTime == before.modificationTime
      state.withLock {
        if attempt == 0 {
          if old?.kind == .file { $0.result.counts.changed += 1 } else { $0.result.counts.new += 1 }
        }
        $0.result.counts.bytesRead += stored.rawBytes
        $0.result.storedBytes += stored.storedBytes
        if settled || attempt == 1 { $0.result.rawBytes += stored.rawBytes }
        if !settled && attempt == 1 { $0.changedWhileRead.append(shown(relative)) }
      }
      if settled { break }
    }
    if entry.links > 1 { state.withLock { $0.linked[linkKey] = (result.chunks, result.extents) } }
    return result
  }

  /// Reads a small file to its end into memory and stores it.
  func readWhole(_ fd: Int32, path: [UInt8], expected: Int) throws -> StoredStream {
    var buffer = [UInt8](repeating: 0, count: max(expected + 1, 4096))
    var count = 0
    while true {
      if count == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
      let n = buffer.withUnsafeMutableBytes {
        pread(fd, $0.baseAddress! + count, $0.count - count, off_t(count))
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw ReadFailed(
          name: String(decoding: path, as: UTF8.self), reason: String(cString: strerror(errno)))
      }
      if n == 0 { break }
      count += n
    }
    session.onBytes?(count)
    return try buffer.withUnsafeBytes {
      try session.store(bytes: UnsafeRawBufferPointer(rebasing: $0[0..<count]))
    }
  }
}
