import ArgumentParser

extension DatamancyBackup {
  struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() throws { Console.out("datamancy-backup \(DatamancyBackup.version)\n") }
  }
}
