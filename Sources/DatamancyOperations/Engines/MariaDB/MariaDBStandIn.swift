import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A private MariaDB from `mariadb-install-db`, on a socket in its folder with
/// networking off. The source's user (and password) is created on it first, so
/// the recovery connects as the source does; loading the `mysql` database then
/// brings the source's own accounts.
final class MariaDBStandIn: StandInBase, StandInServer {
  let secrets: SecretResolver

  init(runner: any ProcessRunner, secrets: SecretResolver) {
    self.secrets = secrets
    super.init(runner: runner)
  }

  var description: String { "mariadbd in \(folder ?? "")" }

  func start(for source: SourceConfig) throws -> SourceConfig {
    guard var settings = source.settings(as: MariaDBSettings.self) else { return source }
    let folder = try makeFolder("datamancy-drill-mariadb")
    let user = String(cString: getpwuid(geteuid()).pointee.pw_name)
    let tools = settings.connection.tools
    _ = try runner.output([
      tools["mariadb-install-db"] ?? "mariadb-install-db", "--no-defaults", "--user=\(user)",
      "--datadir=\(folder)/data", "--auth-root-authentication-method=normal", "--skip-test-db",
    ])
    let socket = folder + "/mysqld.sock"
    let started = try ScratchServer(
      [
        tools["mariadbd"] ?? "mariadbd", "--no-defaults", "--user=\(user)", "--datadir=\(folder)/data",
        "--socket=\(socket)", "--pid-file=\(folder)/mysqld.pid", "--skip-networking", "--skip-name-resolve",
        "--innodb-buffer-pool-size=128M", "--log-error=\(folder)/error.log",
      ], name: "mariadbd (drill --cluster)", runner: runner)
    server = started
    var root = Connection()
    root.socket = socket
    root.user = "root"
    root.tools = tools
    var rootSettings = settings
    rootSettings.connection = root
    let admin = MariaDBSource(name: source.name, settings: rootSettings, runner: runner, secrets: secrets)
    try started.waitReady(
      seconds: 600, log: { (try? String(contentsOfFile: folder + "/error.log", encoding: .utf8)) ?? "" }
    ) { (try? admin.sql("SELECT 1")) == "1" }
    if let name = settings.connection.user, name != "root" || settings.connection.password != nil {
      let password = try settings.connection.password.map { try secrets.resolve($0) } ?? ""
      let account = "\(SQLText.mariadbLiteral(name))@'localhost'"
      try admin.run(
        "CREATE USER IF NOT EXISTS \(account); ALTER USER \(account) IDENTIFIED BY "
          + "\(SQLText.mariadbLiteral(password)); GRANT ALL ON *.* TO \(account) WITH GRANT OPTION;")
    }
    settings.connection.socket = socket
    settings.connection.host = nil
    settings.connection.port = nil
    settings.connection.container = nil
    return SourceConfig(name: source.name, type: source.type, settings: settings)
  }
}

extension MariaDBSource {
  /// Runs SQL fed on standard input (a password in it is on no command line).
  func run(_ statements: String) throws {
    let run = try mariaRun("mariadb", ["--batch"])
    defer { run.privateFiles?.remove() }
    let process = try tool.runner.start(
      run.argv, environment: run.environment, captureOutput: false, feedInput: true)
    try process.write(Data(statements.utf8))
    process.closeInput()
    try process.checkSuccess()
  }
}
