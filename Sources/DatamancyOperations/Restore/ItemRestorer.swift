import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes items of a set back out: a stream item as a file, a tar item as the
/// folder it was, or any item's bytes to a file descriptor.
///
/// Restores into a folder build the result under a `.partial` name and rename it
/// into place only when every chunk authenticated and the writer succeeded, so a
/// damaged repository never leaves a plausible-looking file behind.
public struct ItemRestorer {
  public let repository: Repository
  public let runner: any ProcessRunner
  public var onBytes: (@Sendable (Int) -> Void)?
  /// For a file tree: only these paths inside it (all when empty).
  public var paths: [String] = []
  /// For a file tree: owners by their names at backup, where this host has them.
  public var ownersByName = false
  /// For a file tree restored into a folder that exists: what to do with the
  /// files it already has.
  public var overwrite = TreeRestorer.Overwrite.never
  /// What the last tree restore did (files, links, warnings).
  public private(set) var treeReport: TreeRestorer.Report?
  /// Chunks opened ahead of the writer in `write(_:…to:)`; nil for the
  /// streamer's default (two per core). A reader slower than one core (a
  /// download to a browser) gains nothing from more, and each chunk ahead holds
  /// up to 4 MiB of plaintext.
  public var readAhead: Int?

  public init(repository: Repository, runner: any ProcessRunner) {
    self.repository = repository
    self.runner = runner
  }

  /// Where an item lands under `folder`: `folder/<item name>`.
  public static func destination(of item: BackupItem, in folder: String) -> String {
    folder + "/" + item.name
  }

  /// Restores one item under `folder`; refuses to replace anything that exists.
  @discardableResult
  public mutating func restore(_ item: BackupItem, of set: BackupSet, into folder: String) throws -> String {
    try restore(item, of: set, at: Self.destination(of: item, in: folder))
  }

  /// Restores one item as `target` itself (a folder back to its original path).
  @discardableResult
  public mutating func restore(_ item: BackupItem, of set: BackupSet, at target: String) throws -> String {
    var isFolder: ObjCBool = false
    if item.format == .tree, FileManager.default.fileExists(atPath: target, isDirectory: &isFolder),
      isFolder.boolValue
    {
      // Into what is there, by --overwrite; no .partial can be renamed over it.
      treeReport = try treeRestorer(try paths.map(TreePath.normalized)).restore(item, of: set, into: target)
      return target
    }
    guard !Self.occupied(target) else { throw RestoreError.targetExists(path: target) }
    guard paths.isEmpty || item.format == .tree else {
      throw TreePath.Invalid(description: "--path picks files of a folder item; \(item.name) is not one")
    }
    let chosenPaths = try paths.map(TreePath.normalized)
    let partial = target + ".partial"
    try? FileManager.default.removeItem(atPath: partial)
    Self.unfinished.withLock { _ = $0.insert(partial) }
    defer { Self.unfinished.withLock { _ = $0.remove(partial) } }
    try FileManager.default.createDirectory(
      atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    do {
      switch item.format {
      case .stream:
        let fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.ioError("create", partial) }
        defer { close(fd) }
        try write(item, of: set, to: fd)
        guard fsync(fd) == 0 else { throw Self.ioError("sync", partial) }
      case .tar:
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: false)
        try extract(item, of: set, into: partial)
      case .tree:
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: false)
        treeReport = try treeRestorer(chosenPaths).restore(item, of: set, into: partial)
      }
      guard rename(partial, target) == 0 else { throw Self.ioError("rename", partial) }
    } catch {
      try? FileManager.default.removeItem(atPath: partial)
      throw error
    }
    return target
  }

  private func treeRestorer(_ paths: [[UInt8]]) -> TreeRestorer {
    let restorer = TreeRestorer(repository: repository)
    restorer.paths = paths
    restorer.ownersByName = ownersByName
    restorer.overwrite = overwrite
    restorer.onBytes = onBytes
    return restorer
  }

  /// True when anything is at `path`, a symbolic link included even when it
  /// points nowhere (`fileExists` follows links and would say no).
  public static func occupied(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
  }

  /// The `.partial` paths being written now.
  private static let unfinished = Locked<Set<String>>([])

  /// Removes every `.partial` being written (on SIGINT or SIGTERM), so an
  /// interrupted restore leaves nothing that looks like a result.
  public static func removeUnfinished() {
    for path in unfinished.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
  }

  /// Writes an item's bytes, exactly as stored, to `fd`.
  /// The reader of `write`'s output went away (`| head`): nothing failed here.
  public struct OutputClosed: Error {}

  public func write(_ item: BackupItem, of set: BackupSet, to fd: Int32) throws {
    if item.format == .tree { return try writeTar(item, of: set, to: fd) }
    let ids = try ChunkStreamer.ids(of: item, set: set)
    try streamer(readAhead).stream(ids) { data in
      let status = FileDescriptor.writeAll(fd, data)
      if status == EPIPE { throw OutputClosed() }
      guard status == 0 else { throw Self.ioError("write", "the output") }
      onBytes?(data.count)
    }
  }

  /// Writes one file of a tree to `fd`, its holes as zeros.
  public func write(_ entry: TreeEntry, to fd: Int32) throws {
    try Self.content(of: entry, from: streamer(readAhead), into: sink(fd))
  }

  /// A chunk streamer over this repository with `readAhead` chunks ahead, if set.
  private func streamer(_ readAhead: Int?) -> ChunkStreamer {
    var streamer = ChunkStreamer(repository: repository)
    if let readAhead {
      streamer.window = readAhead
      streamer.batch = readAhead
    }
    return streamer
  }

  /// Writes `data` to `fd`, counting it for the progress line.
  private func sink(_ fd: Int32) -> (Data) throws -> Void {
    { data in
      let status = FileDescriptor.writeAll(fd, data)
      if status == EPIPE { throw OutputClosed() }
      guard status == 0 else { throw Self.ioError("write", "the output") }
      onBytes?(data.count)
    }
  }

  /// A tree file's bytes in order, holes as zeros.
  static func content(of entry: TreeEntry, from streamer: ChunkStreamer, into put: (Data) throws -> Void)
    throws
  {
    var written: UInt64 = 0
    let zeros = Data(count: 1 << 20)
    func emit(_ data: Data) throws {
      try put(data)
      written += UInt64(data.count)
    }
    func zeroFill(to offset: UInt64) throws {
      while written < offset { try emit(zeros.prefix(Int(min(UInt64(zeros.count), offset - written)))) }
    }
    var regions = (entry.extents ?? [Extent(offset: 0, length: entry.size)])[...]
    var left = regions.first?.length ?? 0
    try zeroFill(to: regions.first?.offset ?? 0)
    try streamer.stream(entry.chunks) { data in
      var data = data[...]
      while !data.isEmpty {
        while left == 0, regions.count > 1 {
          regions = regions.dropFirst()
          left = regions.first!.length
          try zeroFill(to: regions.first!.offset)
        }
        let count = min(Int(left), data.count)
        guard count > 0 else {
          throw RepositoryError.damaged(
            file: "tree", reason: "\(entry.displayName) holds more data than its regions")
        }
        try emit(data.prefix(count))
        left -= UInt64(count)
        data = data.dropFirst(count)
      }
    }
    try zeroFill(to: entry.size)
  }

  /// A tree item as a tar stream.
  private func writeTar(_ item: BackupItem, of set: BackupSet, to fd: Int32) throws {
    try write(folder: try repository.readTree(try repository.rootTree(of: item, in: set)), to: fd)
  }

  /// Writes a folder of a tree, and everything under it, to `fd` as a tar stream.
  public func write(folder: Tree, to fd: Int32) throws {
    let output = sink(fd)
    var tar = TarWriter(repository: repository, output: output)
    let streamer = streamer(readAhead)
    try tar.write(folder) { entry, put in
      try Self.content(of: entry, from: streamer, into: put)
    }
  }

  private func extract(_ item: BackupItem, of set: BackupSet, into folder: String) throws {
    let tar = try runner.start(
      ["tar", "--extract", "--file=-", "--numeric-owner", "--directory=" + folder],
      environment: ["LC_ALL": "C"], captureOutput: false, feedInput: true)
    try feed(item, of: set, to: tar)
  }

  /// Streams an item into a started tool's standard input, then waits for the
  /// tool's verdict. A tool that stops reading fails with its own message; any
  /// other error (damaged data) stops the tool first.
  public func feed(
    _ item: BackupItem, of set: BackupSet, to process: RunningProcess, through filter: Filter? = nil
  ) throws {
    do {
      try ChunkStreamer(repository: repository).stream(try ChunkStreamer.ids(of: item, set: set)) {
        try process.write(filter?.pass($0) ?? $0)
        onBytes?($0.count)
      }
      if let filter { try process.write(filter.finish()) }
    } catch let error as ProcessError {
      throw error
    } catch {
      process.stop()
      process.wait()
      throw error
    }
    try process.checkSuccess()
  }

  /// Rewrites the bytes on their way to the client (`LDIFLoadFilter`): `pass`
  /// gets each chunk in order, `finish` what is held at the end.
  public struct Filter {
    public var pass: (Data) -> Data
    public var finish: () -> Data
  }

  static func ioError(_ operation: String, _ path: String) -> RestoreError {
    .write(path: path, operation: operation, reason: String(cString: strerror(errno)))
  }
}
