import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Init: BackupSubcommand {
    static let configuration = CommandConfiguration(
      abstract: "Create a repository and its first key.", discussion: ExitStatus.reference)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Smallest chunk, in bytes.") var chunkMin = ChunkerParameters.default.minSize
    @Option(help: "Average chunk, in bytes (a power of two).") var chunkAverage = ChunkerParameters.default
      .averageSize
    @Option(help: "Largest chunk, in bytes.") var chunkMax = ChunkerParameters.default.maxSize
    @Option(help: "Pack file size, in bytes.") var packSize = RepositoryConfig.defaultPackSize
    @Option(help: ArgumentHelp("scrypt cost N of the key (a power of two).", visibility: .hidden))
    var kdfCost = KeyFile.KDF.defaultCost

    var chunker: ChunkerParameters {
      ChunkerParameters(minSize: chunkMin, averageSize: chunkAverage, maxSize: chunkMax)
    }

    func validate() throws {
      if let problem = chunker.problem { throw ValidationError(problem) }
      guard (1 << 20...512 << 20).contains(packSize) else {
        throw ValidationError("--pack-size must be between 1 MiB and 512 MiB")
      }
      guard kdfCost >= 2, kdfCost & (kdfCost - 1) == 0 else {
        throw ValidationError("the scrypt cost must be a power of two")
      }
    }

    func run(_ context: CommandContext) throws {
      var options = InitOptions()
      options.chunker = chunker
      options.packSize = packSize
      options.kdfCost = kdfCost
      if let setting = context.config.repository.compression { options.compression = Compression(setting) }
      let storage = try context.storage()
      let repository = try Repository.initialize(
        storage: storage, password: try context.password(confirm: true), options: options,
        now: context.now(), host: context.host)
      if global.json {
        try context.printJSON(repository.config)
      } else {
        context.print("created repository \(repository.config.id) at \(storage.location)")
      }
    }
  }
}
