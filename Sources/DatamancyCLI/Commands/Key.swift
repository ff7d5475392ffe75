import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup {
  struct Key: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List, add and remove the repository's keys, or change a password.",
      discussion: """
        Each key is the master key wrapped under one password (scrypt); data is never \
        re-encrypted. A new password comes from \(CommandContext.newPasswordVariable), else a \
        prompt on the terminal (asked twice).

        """ + ExitStatus.reference,
      subcommands: [List.self, Add.self, Remove.self, Passwd.self])

    struct List: BackupSubcommand {
      static let configuration = CommandConfiguration(abstract: "List the keys.")
      @OptionGroup var global: GlobalOptions

      func run(_ context: CommandContext) throws {
        let keys = try context.openRepository(loadIndex: false).keys()
        if global.json { return try context.printJSON(keys) }
        var rows = [["", "id", "created", "host"]]
        for key in keys {
          rows.append([
            key.current ? "*" : "", String(key.id.prefix(8)), Formatting.time(key.created), key.host,
          ])
        }
        context.print(Formatting.table(rows))
      }
    }

    struct Add: BackupSubcommand {
      static let configuration = CommandConfiguration(abstract: "Add a key for a new password.")
      @OptionGroup var global: GlobalOptions
      @Option(
        name: .customLong("kdf-cost"),
        help: ArgumentHelp(
          "scrypt's cost N, a power of two (default 32768, about 0.3 s per opening). Lower only for a random password held by a machine, such as wal-push's: 1024 opens in milliseconds.",
          valueName: "N"))
      var cost = KeyFile.KDF.defaultCost

      func run(_ context: CommandContext) throws {
        let password = try context.newPassword()
        try Key.checkCost(cost, password: password)
        let repository = try context.openRepository(loadIndex: false)
        let name = try repository.addKey(
          password: password, cost: cost, now: context.now(), host: context.host)
        context.print("added key \((name as NSString).lastPathComponent.prefix(8))")
      }
    }

    struct Remove: BackupSubcommand {
      static let configuration = CommandConfiguration(abstract: "Remove a key (never the last one).")
      @OptionGroup var global: GlobalOptions
      @Argument(help: "The key's id, or a unique prefix of it (key list).") var id: String

      func run(_ context: CommandContext) throws {
        try context.openRepository(loadIndex: false).removeKey(id)
        context.print("removed key \(id)")
      }
    }

    struct Passwd: BackupSubcommand {
      static let configuration = CommandConfiguration(
        abstract: "Change the password of the key that opens the repository.")
      @OptionGroup var global: GlobalOptions
      @Option(name: .customLong("kdf-cost"), help: ArgumentHelp("As for key add.", valueName: "N"))
      var cost = KeyFile.KDF.defaultCost

      func run(_ context: CommandContext) throws {
        let password = try context.newPassword()
        try Key.checkCost(cost, password: password)
        let repository = try context.openRepository(loadIndex: false)
        let name = try repository.changePassword(
          to: password, cost: cost, now: context.now(), host: context.host)
        context.print("password changed; the key is now \((name as NSString).lastPathComponent.prefix(8))")
      }
    }

    /// scrypt's cost must be a power of two; below the default, it only guards a
    /// password that needs no stretching (random, 32 characters or more): a
    /// shorter one is warned about.
    static func checkCost(_ cost: Int, password: String) throws {
      guard cost >= 1024, cost <= 1 << 20, cost & (cost - 1) == 0 else {
        throw CLIError.usage("--kdf-cost: a power of two from 1024 to 1048576")
      }
      if cost < KeyFile.KDF.defaultCost, password.count < 32 {
        Console.error(
          "datamancy-backup: warning: --kdf-cost \(cost) is for a random password of 32 characters or more "
            + "(head -c 32 /dev/urandom | base64): a cheap key makes a guessable password easy to find\n")
      }
    }
  }
}
