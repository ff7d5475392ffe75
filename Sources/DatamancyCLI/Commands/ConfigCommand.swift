import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "config",
      abstract: "Bring back the configuration file that every backup set carries.",
      discussion: """
        Every set made with a configuration file keeps its text, encrypted (secrets are \
        references such as { env: NAME }, never values). After the host is lost, `config \
        restore --repo R --to FILE` writes it back, with nothing but the repository and its \
        password.

        """ + ExitStatus.reference,
      subcommands: [Restore.self])

    struct Restore: BackupSubcommand {
      static let configuration = CommandConfiguration(
        abstract: "Write the configuration a set ran with to a file, and list the secrets it misses here.")
      @OptionGroup var global: GlobalOptions
      @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
          "The set (id, prefix, or latest); default: the newest set that carries a configuration.",
          valueName: "SET"))
      var set: String?
      @Option(
        name: .customLong("to"), help: ArgumentHelp("The file to write (mode 0600).", valueName: "FILE"))
      var to: String
      @Flag(name: .customLong("force"), help: "Replace the file if it exists.") var force = false

      struct Report: Encodable {
        var set: String
        var time: Date
        var path: String
        var sources: [[String: String]]
        var missingSecrets: [String]
      }

      func run(_ context: CommandContext) throws {
        let outcome = try ConfigRestoreRun(context: context.operations).run(set: set, to: to, force: force)
        if global.json {
          return try context.printJSON(
            Report(
              set: outcome.set.id, time: outcome.set.time, path: outcome.path,
              sources: outcome.sources.map { ["name": $0.name, "type": $0.type] },
              missingSecrets: outcome.missingSecrets))
        }
        var lines = [
          "wrote the configuration of set \(outcome.set.shortID) (\(Formatting.time(outcome.set.time))) "
            + "to \(outcome.path)",
          "sources: " + outcome.sources.map { "\($0.name) (\($0.type))" }.joined(separator: ", "),
        ]
        if outcome.missingSecrets.isEmpty {
          lines.append("every secret it references can be read here")
        } else {
          lines.append("secrets it references that cannot be read here (set them before recovering):")
          lines += outcome.missingSecrets.map { "  " + $0 }
        }
        context.print(lines.joined(separator: "\n"))
      }
    }
  }
}
