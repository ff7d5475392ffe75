import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Ls: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "List the files of a folder item in a set.",
      discussion: """
        Paths are relative to the folder that was backed up. --long adds type and mode, \
        owner, size and modification time; --json gives every field, one object per entry.

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The set: an id, a unique prefix of one, or 'latest'.") var set: String
    @Argument(help: "The folder item's name, as 'snapshots SET' lists it.") var item: String
    @Argument(help: "A folder or file inside the item (its top when omitted).") var path: String?

    @Flag(name: .shortAndLong, help: "Show type, mode, owner, size and time.") var long = false
    // -R as ls(1) has it: -r is the global --repo.
    @Flag(name: [.customShort("R"), .long], help: "List what is under each folder too.") var recursive = false

    func run(_ context: CommandContext) throws {
      let repository = try context.openRepository()
      let chosen = try repository.findSet(set, holding: [item])
      let picked = try ItemSelection.pick([item], from: chosen)[0]
      let listed = try context.withLock(repository, exclusive: false, command: "ls", readOnly: true) {
        try TreeBrowser(repository: repository).list(
          try TreePath.normalized(path ?? ""), in: picked, of: chosen, recursive: recursive)
      }
      if global.json { return try context.printJSON(listed.map(ListedEntry.init)) }
      guard long else {
        return context.print(listed.map { TreePath.display($0.path) }.joined(separator: "\n"))
      }
      let rows = listed.map { listed -> [String] in
        let entry = listed.entry
        let owner = entry.user.isEmpty ? "\(entry.uid)" : String(decoding: entry.user, as: UTF8.self)
        let group = entry.group.isEmpty ? "\(entry.gid)" : String(decoding: entry.group, as: UTF8.self)
        var name = TreePath.display(listed.path)
        if entry.kind == .symlink { name += " -> " + TreePath.display(entry.target) }
        return [
          entry.modeString, owner, group, "\(entry.size)",
          Formatting.time(Date(timeIntervalSince1970: Double(entry.mtime.seconds))), name,
        ]
      }
      context.print(Formatting.table(rows))
    }
  }
}

/// One entry of `ls --json`.
struct ListedEntry: Encodable {
  var path: String
  var type: String
  var mode: String
  var uid: UInt32
  var gid: UInt32
  var user: String
  var group: String
  var size: UInt64
  /// Modification time: seconds and nanoseconds since 1970.
  var mtime: String
  var target: String?
  var links: UInt32
  var inode: UInt64
  var xattrs: [String]

  init(_ listed: TreeBrowser.Listed) {
    let entry = listed.entry
    path = String(decoding: listed.path, as: UTF8.self)
    type = "\(entry.kind)"
    mode = String(entry.mode, radix: 8)
    uid = entry.uid
    gid = entry.gid
    user = String(decoding: entry.user, as: UTF8.self)
    group = String(decoding: entry.group, as: UTF8.self)
    size = entry.size
    mtime = "\(entry.mtime.seconds).\(String(format: "%09u", entry.mtime.nanoseconds))"
    target = entry.kind == .symlink ? String(decoding: entry.target, as: UTF8.self) : nil
    links = entry.links
    inode = entry.inode
    xattrs = entry.xattrs.map { String(decoding: $0.name, as: UTF8.self) }
  }
}
