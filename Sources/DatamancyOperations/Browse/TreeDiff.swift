import DatamancyRepository
import Foundation

/// What differs between two copies of a folder item: paths added, removed, and
/// changed (content, type, mode, owner, times or link target). Directories
/// whose trees are the same chunks are equal without being read.
public struct TreeDiff {
  public enum Change: String, Sendable {
    case added = "+"
    case removed = "-"
    case changed = "M"
  }

  public struct Difference: Sendable {
    public var change: Change
    public var path: [UInt8]
    public var before: TreeEntry?
    public var after: TreeEntry?
  }

  public let repository: Repository

  public init(repository: Repository) { self.repository = repository }

  public func compare(_ old: [ChunkID], _ new: [ChunkID]) throws -> [Difference] {
    var differences: [Difference] = []
    try compare(old, new, prefix: [], into: &differences)
    return differences
  }

  private func compare(_ old: [ChunkID], _ new: [ChunkID], prefix: [UInt8], into out: inout [Difference])
    throws
  {
    guard old != new else { return }
    let before = old.isEmpty ? Tree(entries: []) : try repository.readTree(old)
    let after = new.isEmpty ? Tree(entries: []) : try repository.readTree(new)
    var names = Set(before.entries.map(\.name)).union(after.entries.map(\.name))
    names.remove([46])
    for name in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
      let path = prefix.isEmpty ? name : prefix + [UInt8(ascii: "/")] + name
      let (a, b) = (before.entry(named: name), after.entry(named: name))
      switch (a, b) {
      case (nil, let b?):
        out.append(Difference(change: .added, path: path, before: nil, after: b))
        if b.kind == .directory { try compare([], b.chunks, prefix: path, into: &out) }
      case (let a?, nil):
        out.append(Difference(change: .removed, path: path, before: a, after: nil))
        if a.kind == .directory { try compare(a.chunks, [], prefix: path, into: &out) }
      case (let a?, let b?):
        if a.kind == .directory && b.kind == .directory {
          if Self.metadataDiffers(a, b) {
            out.append(Difference(change: .changed, path: path, before: a, after: b))
          }
          try compare(a.chunks, b.chunks, prefix: path, into: &out)
        } else if a.kind != b.kind || a.chunks != b.chunks || a.target != b.target || a.size != b.size
          || Self.metadataDiffers(a, b)
        {
          out.append(Difference(change: .changed, path: path, before: a, after: b))
        }
      case (nil, nil):
        break
      }
    }
  }

  /// Mode, owner, mtime or xattrs differ (ctime and inode say nothing a
  /// restore would change).
  static func metadataDiffers(_ a: TreeEntry, _ b: TreeEntry) -> Bool {
    a.mode != b.mode || a.uid != b.uid || a.gid != b.gid || a.mtime != b.mtime || a.xattrs != b.xattrs
  }
}
