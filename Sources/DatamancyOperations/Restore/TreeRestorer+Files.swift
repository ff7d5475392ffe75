import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Regular files: a folder's small files read together, every file written on
/// up to `width` threads.
extension TreeRestorer {
  /// A file up to this size is read with its folder's other small files: one
  /// coalesced read of the packs they lie in (a folder's files were stored one
  /// after the other) instead of a pack opened, read and closed per file.
  static let smallFile: UInt64 = 1 << 20
  /// Plaintext of small files read at once, held until they are written.
  static let groupBytes: UInt64 = 4 << 20
  /// Files read at once, and the most a read may span between two of them: a
  /// folder whose files were stored at different times, between other data,
  /// would otherwise fetch up to a megabyte of other data per file. About
  /// `groupBytes + groupFiles * gap` (36 MiB) is held at most.
  static let groupFiles = 512
  static let gap = 64 << 10

  func writeFiles(_ files: [TreeEntry], in folder: [UInt8]) throws {
    guard !files.isEmpty else { return }
    let directory = FileSystem.withPath(folder) { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    guard directory >= 0 else { throw FileSystem.Failure("open", folder) }
    defer { close(directory) }
    var group: [TreeEntry] = []
    var groupBytes: UInt64 = 0
    var large: [TreeEntry] = []
    func writeGroup() throws {
      let batch = group
      (group, groupBytes) = ([], 0)
      guard !batch.isEmpty else { return }
      let contents = try repository.readChunks(batch.flatMap(\.chunks), gap: Self.gap)
      // Where each file's chunks start among the group's.
      let starts = batch.reduce(into: [0]) { $0.append($0.last! + $1.chunks.count) }
      try inParallel(batch.count) { i in
        let slice = contents[starts[i]..<starts[i] + batch[i].chunks.count]
        try self.writeFile(batch[i], in: directory, of: folder, contents: slice)
      }
    }
    for entry in files {
      guard entry.storedLength <= Self.smallFile else {
        large.append(entry)
        continue
      }
      group.append(entry)
      groupBytes += entry.storedLength
      if groupBytes >= Self.groupBytes || group.count >= Self.groupFiles { try writeGroup() }
    }
    try writeGroup()
    let rest = large
    try inParallel(rest.count) { i in try self.writeFile(rest[i], in: directory, of: folder, contents: nil) }
  }

  private func inParallel(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
    for result in BoundedParallel.map(count, width: width, stopOnFailure: true, body) { try result.get() }
  }

  /// Writes one file from `contents` (its chunks, already read) or from the
  /// repository; then its owner, mode, xattrs and times through the open file.
  private func writeFile(
    _ entry: TreeEntry, in directory: Int32, of folder: [UInt8], contents: ArraySlice<Data>?
  ) throws {
    let path = FileSystem.join(folder, entry.name)
    let fd = FileSystem.withPath(entry.name) {
      openat(directory, $0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
    }
    guard fd >= 0 else { throw FileSystem.Failure("create", path) }
    defer { close(fd) }
    // Data regions in order; a file without holes is one region.
    var regions = (entry.extents ?? [Extent(offset: 0, length: entry.size)])[...]
    var offset = regions.first?.offset ?? 0
    var left = regions.first?.length ?? 0
    func sink(_ chunk: Data) throws {
      var data = chunk[...]
      while !data.isEmpty {
        while left == 0 {
          regions = regions.dropFirst()
          guard let region = regions.first else {
            throw RepositoryError.damaged(
              file: "tree of \(String(decoding: path, as: UTF8.self))",
              reason: "more data than the file's regions")
          }
          (offset, left) = (region.offset, region.length)
        }
        let count = min(Int(left), data.count)
        let written = data.prefix(count).withUnsafeBytes { pwrite(fd, $0.baseAddress, count, off_t(offset)) }
        guard written > 0 else { throw FileSystem.Failure("write", path) }
        offset += UInt64(written)
        left -= UInt64(written)
        data = data.dropFirst(written)
      }
      onBytes?(chunk.count)
    }
    if let contents {
      for data in contents { try sink(data) }
    } else if entry.chunks.count <= 4 {
      for data in try repository.readChunks(entry.chunks) { try sink(data) }
    } else {
      try ChunkStreamer(repository: repository).stream(entry.chunks, to: sink)
    }
    // A file written to its end has its size; one ending in a hole does not.
    if offset != entry.size, ftruncate(fd, off_t(entry.size)) != 0 {
      throw FileSystem.Failure("set the size of", path)
    }
    try apply(entry, to: path, descriptor: fd)
    state.withLock {
      $0.report.files += 1
      $0.report.bytes += Int(entry.storedLength)
    }
  }
}
