import ArgumentParser
import DatamancyOperations
import DatamancyWeb
import Foundation

extension DatamancyBackup {
  struct User: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Add, list and remove dashboard users, or change a user's password.",
      discussion: """
        Users live in serve.users (default /etc/datamancy-backup/users, 0600), one per line \
        with a scrypt hash of the password and a role: viewer (reads every page), operator \
        (also backs up, verifies, drills, restores into new targets, downloads files), admin \
        (also restores over live databases). A new password comes from \
        \(CommandContext.newPasswordVariable), else the first line of standard input when it is \
        not a terminal, else a prompt on the terminal (asked twice). \
        A running 'serve' sees changes at once: a removed user's sessions end.

        """ + ExitStatus.reference,
      subcommands: [List.self, Add.self, Remove.self, Passwd.self])

    struct List: BackupSubcommand {
      static let configuration = CommandConfiguration(abstract: "List the users and their roles.")
      @OptionGroup var global: GlobalOptions

      func run(_ context: CommandContext) throws {
        let users = try User.store(context).load()
        if global.json {
          return try context.printJSON(users.map { ["name": $0.name, "role": $0.role.rawValue] })
        }
        guard !users.isEmpty else {
          return context.print(
            "no dashboard user yet: 'datamancy-backup user add NAME --role admin' adds one")
        }
        context.print(Formatting.table([["name", "role"]] + users.map { [$0.name, $0.role.rawValue] }))
      }
    }

    struct Add: BackupSubcommand {
      static let configuration = CommandConfiguration(abstract: "Add a user.")
      @OptionGroup var global: GlobalOptions
      @Argument(help: "Letters, digits and ._@- (at most 64).") var name: String
      @Option(help: "viewer, operator or admin.") var role: String

      func validate() throws {
        guard UserStore.validName(name) else {
          throw ValidationError("a user name uses letters, digits and ._@- (at most 64 characters)")
        }
        guard Role(rawValue: role) != nil else {
          throw ValidationError("--role is viewer, operator or admin, not '\(role)'")
        }
      }

      func run(_ context: CommandContext) throws {
        guard let role = Role(rawValue: role) else { throw ValidationError("--role: '\(role)'") }
        let store = try User.store(context)
        var users = try store.load()
        guard !users.contains(where: { $0.name == name }) else {
          throw CLIError.usage("user \(name) exists already; 'user passwd \(name)' changes the password")
        }
        users.append(.init(name: name, role: role, hash: try User.hash(try context.newPassword())))
        try store.save(users)
        context.print("added \(role.rawValue) \(name) to \(store.path)")
      }
    }

    struct Remove: BackupSubcommand {
      static let configuration = CommandConfiguration(abstract: "Remove a user (their sessions end).")
      @OptionGroup var global: GlobalOptions
      @Argument var name: String

      func run(_ context: CommandContext) throws {
        let store = try User.store(context)
        let users = try store.load()
        guard users.contains(where: { $0.name == name }) else { throw CLIError.usage("no user \(name)") }
        try store.save(users.filter { $0.name != name })
        context.print("removed \(name)")
      }
    }

    struct Passwd: BackupSubcommand {
      static let configuration = CommandConfiguration(
        abstract: "Change a user's password (their sessions end).")
      @OptionGroup var global: GlobalOptions
      @Argument var name: String

      func run(_ context: CommandContext) throws {
        let store = try User.store(context)
        var users = try store.load()
        guard let index = users.firstIndex(where: { $0.name == name }) else {
          throw CLIError.usage("no user \(name)")
        }
        users[index].hash = try User.hash(try context.newPassword())
        try store.save(users)
        context.print("changed the password of \(name)")
      }
    }

    static func store(_ context: CommandContext) throws -> UserStore {
      UserStore(path: context.config.serve.users)
    }

    static func hash(_ password: String) throws -> String {
      guard password.count >= 8 else {
        throw CLIError.usage("a dashboard password has at least 8 characters")
      }
      return try PasswordHash.make(password)
    }
  }
}
