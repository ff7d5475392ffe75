import CLinux
import DatamancyPOSIX
import DatamancyRepository
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Stores a folder as a file tree: one tree object per directory, each file's
/// content chunked on its own, so an unchanged directory stores nothing and
/// `ls` or a one-file restore read only what they need.
///
/// Incremental: a file whose size, mtime, ctime and inode equal its entry in the
/// previous tree keeps that entry's chunks without being opened (unless
/// `forceReread`, or a chunk is no longer in the index). A directory's files are
/// read on several threads. A file that changes while read is read again once,
/// then stored with a warning.
public final class TreeScanner: ReadingProgress, @unchecked Sendable {
  public struct Outcome: Sendable {
    public var tree: [ChunkID]
    public var rawBytes = 0
    public var storedBytes = 0
    public var counts = FileCounts()
    public var unreadable: [String] = []
    public var warnings: [String] = []
  }

  let session: BackupSession
  let root: [UInt8]
  let rules: FileRules
  let forceReread: Bool
  /// Files read at once within one directory.
  var width = 4
  /// Files up to this size are read whole into memory and cut there.
  let wholeFileLimit = 8 << 20
  private let owners = OwnerNames()
  let state = Locked(State())
  private var rootDevice: UInt64 = 0

  struct State {
    var result = Outcome(tree: [])
    var current: String?
    var skippedSockets: [String] = []
    var changedWhileRead: [String] = []
    /// Content of files with several links, by device and inode, read once.
    var linked: [[UInt64]: (chunks: [ChunkID], extents: [Extent]?)] = [:]
  }

  public init(session: BackupSession, root: String, rules: FileRules, forceReread: Bool = false) {
    self.session = session
    self.root = Array(root.utf8)
    self.rules = rules
    self.forceReread = forceReread
  }

  public var currentFile: String? { state.withLock { $0.current } }

  /// Scans the folder; `previous` is the root tree of the item's last good copy.
  public func scan(previous: [ChunkID]?) throws -> Outcome {
    let info = try FileSystem.lstat(root)
    guard info.fileType == S_IFDIR else {
      throw SourceError.noSuchFolder(path: String(decoding: root, as: UTF8.self))
    }
    rootDevice = UInt64(info.st_dev)
    var itself = entry(named: [46], info)
    itself.xattrs = (try? FileSystem.xattrs(root)) ?? []
    let tree = try directory(root, relative: [], previous: previous.flatMap(readPrevious), itself: itself)
    return state.withLock { state in
      var result = state.result
      result.tree = tree
      let unreadable = result.unreadable
      if !unreadable.isEmpty {
        let more = unreadable.count > 20 ? " and \(unreadable.count - 20) more" : ""
        result.warnings.append(
          "\(Self.count(unreadable.count, "path")) could not be read and were left out: "
            + unreadable.prefix(20).joined(separator: ", ") + more)
      }
      if !state.skippedSockets.isEmpty {
        result.warnings.append(
          "\(Self.count(state.skippedSockets.count, "socket")) not stored (a socket is made by the "
            + "program that listens on it): \(state.skippedSockets.prefix(5).joined(separator: ", "))")
      }
      if !state.changedWhileRead.isEmpty {
        result.warnings.append(
          "\(Self.count(state.changedWhileRead.count, "file")) changed while read twice, stored as "
            + "last read: \(state.changedWhileRead.prefix(5).joined(separator: ", "))")
      }
      return result
    }
  }

  static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

  private func readPrevious(_ chunks: [ChunkID]) -> Tree? {
    // A previous tree that cannot be read only costs reading the files again.
    chunks.isEmpty ? nil : try? session.repository.readTree(chunks)
  }

  /// Stores one directory and everything under it; returns its tree's chunks.
  private func directory(_ path: [UInt8], relative: [UInt8], previous: Tree?, itself: TreeEntry?) throws
    -> [ChunkID]
  {
    var entries: [TreeEntry] = itself.map { [$0] } ?? []
    var toRead: [(index: Int, path: [UInt8], relative: [UInt8], old: TreeEntry?)] = []
    let names = try FileSystem.names(in: path)
    if names.contains(where: { rules.marksExcluded($0) }) {
      return try session.store(Tree(entries: entries)).chunks
    }
    for name in names {
      let childPath = FileSystem.join(path, name)
      let childRelative = relative.isEmpty ? name : relative + [UInt8(ascii: "/")] + name
      guard !rules.excludes(name: name, relative: childRelative) else { continue }
      let info: stat
      do {
        info = try FileSystem.lstat(childPath)
      } catch let failure as FileSystem.Failure where failure.code == ENOENT {
        continue  // gone since the listing: as if never there
      } catch {
        record(unreadable: childRelative)
        continue
      }
      var child = entry(named: name, info)
      do {
        child.xattrs = try FileSystem.xattrs(childPath)
        switch info.fileType {
        case S_IFDIR:
          // A folder holding a marker file (`.nobackup`) is left out whole.
          if rules.ifPresent.contains(where: {
            (try? FileSystem.lstat(FileSystem.join(childPath, Array($0.utf8)))) != nil
          }) {
            continue
          }
          let old = previous?.entry(named: name)
          let sameDevice = !rules.oneFileSystem || UInt64(info.st_dev) == rootDevice
          child.chunks =
            sameDevice
            ? try directory(
              childPath, relative: childRelative,
              previous: old?.kind == .directory ? readPrevious(old!.chunks) : nil,
              itself: nil)
            : try session.store(Tree(entries: [])).chunks
          state.withLock { $0.result.counts.directories += 1 }
        case S_IFREG:
          if let limit = rules.largerThan, info.st_size > limit { continue }
          let old = previous?.entry(named: name)
          if let old, reusable(old, info) {
            child.chunks = old.chunks
            child.extents = old.extents
            state.withLock {
              $0.result.counts.unchanged += 1
              $0.result.counts.bytesSkipped += Int(old.storedLength)
              $0.result.rawBytes += Int(old.storedLength)
            }
            session.onBytes?(Int(old.storedLength))
          } else {
            toRead.append((entries.count, childPath, childRelative, old))
          }
        case S_IFLNK:
          child.target = try FileSystem.readLink(childPath, size: Int(info.st_size))
        case S_IFIFO, S_IFCHR, S_IFBLK:
          break
        case S_IFSOCK:
          state.withLock { $0.skippedSockets.append(shown(childRelative)) }
          continue
        default:
          continue
        }
      } catch  where Self.isUnreadable(error) {
        record(unreadable: childRelative)
        continue
      }
      entries.append(child)
    }
    let read = readFiles(toRead.map { ($0.path, $0.relative, entries[$0.index], $0.old) })
    var dropped = Set<Int>()
    for (k, item) in toRead.enumerated() {
      switch read[k] {
      case .success(let entry): entries[item.index] = entry
      case .failure(let error):
        guard Self.isUnreadable(error) else { throw error }
        if let failure = error as? FileSystem.Failure, failure.code == ENOENT {
          dropped.insert(item.index)
        } else {
          record(unreadable: item.relative)
          dropped.insert(item.index)
        }
      }
    }
    if !dropped.isEmpty {
      entries = entries.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
    }
    return try session.store(Tree(entries: entries)).chunks
  }

  /// A file or folder the system would not let us read (permissions, an I/O
  /// error, gone meanwhile): it is left out and named. Anything else (the
  /// repository's storage failing) fails the item.
  static func isUnreadable(_ error: any Error) -> Bool { error is FileSystem.Failure || error is ReadFailed }

  /// Whether the previous entry still describes the file, so its chunks serve.
  private func reusable(_ old: TreeEntry, _ info: stat) -> Bool {
    !forceReread && old.kind == .file && old.size == UInt64(info.st_size)
      && old.mtime == info.modificationTime && old.ctime == info.changeTime
      && old.inode == UInt64(info.st_ino)
      && old.chunks.allSatisfy { session.repository.index.contains($0) }
  }

  private func entry(named name: [UInt8], _ info: stat) -> TreeEntry {
    let kind: TreeEntry.Kind
    switch info.fileType {
    case S_IFDIR: kind = .directory
    case S_IFLNK: kind = .symlink
    case S_IFIFO: kind = .fifo
    case S_IFCHR: kind = .characterDevice
    case S_IFBLK: kind = .blockDevice
    default: kind = .file
    }
    var entry = TreeEntry(
      name: name, kind: kind, mode: UInt32(info.st_mode & 0o7777), uid: info.st_uid, gid: info.st_gid,
      mtime: info.modificationTime, ctime: info.changeTime)
    entry.user = owners.user(info.st_uid)
    entry.group = owners.group(info.st_gid)
    entry.size = kind == .file ? UInt64(info.st_size) : 0
    entry.inode = UInt64(info.st_ino)
    entry.device = UInt64(info.st_dev)
    entry.links = UInt32(info.st_nlink)
    entry.rdev = kind == .characterDevice || kind == .blockDevice ? UInt64(info.st_rdev) : 0
    return entry
  }

  func record(unreadable relative: [UInt8]) {
    state.withLock { $0.result.unreadable.append(shown(relative)) }
  }

  /// A path for messages: the folder's own path joined with the relative one.
  func shown(_ relative: [UInt8]) -> String {
    String(decoding: FileSystem.join(root, relative), as: UTF8.self)
  }
}
