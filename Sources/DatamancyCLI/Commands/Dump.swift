import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import DatamancySources
import Foundation

extension DatamancyBackup {
  struct Dump: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Write one item's bytes, exactly as backed up, to standard output.",
      discussion: """
        A folder item stored as a tar stream (by versions before file trees) comes out as \
        that tar stream, and so does a folder stored as a file tree. With --path, a file's \
        bytes, or a folder inside the item as a tar stream.

        """ + ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The set: an id, a unique prefix of one, or 'latest'.") var set: String
    @Argument(help: "The item's name, as 'snapshots' lists it.") var item: String
    @Option(help: "In a folder item, the file to write (a folder comes as a tar stream).") var path: String?

    func run(_ context: CommandContext) throws {
      guard isatty(1) == 0 else {
        throw CLIError.usage(
          "standard output is a terminal: redirect the item's bytes to a file or a pipe (dump SET ITEM > FILE)"
        )
      }
      let repository = try context.openRepository()
      let chosen = try repository.findSet(set, holding: [item])
      let picked = try ItemSelection.pick([item], from: chosen)[0]
      try context.withLock(repository, exclusive: false, command: "dump", readOnly: true) {
        do {
          let export = try ItemExport.resolve(
            try path.map(TreePath.normalized), in: picked, of: chosen, repository: repository)
          try export.write(picked, of: chosen, from: repository, runner: context.runner, to: 1)
        } catch is ItemRestorer.OutputClosed {
          return  // The reader took what it wanted (`| head`).
        }
      }
    }
  }
}
