import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The stand-in of a `postgres_pitr` source in `drill --cluster`: a private
/// PostgreSQL from `initdb`, started by `pg_ctl` (not as our child) so that the
/// recovery stops it and starts it on the recovered folder as it would the
/// source's server. Its options, kept in `postmaster.opts` for that restart,
/// keep it private whatever the recovered folder's settings say: a socket in
/// its folder and no TCP, its own access file, no archiving (a drill never
/// writes the source's archive), no SSL, no preloaded libraries.
final class ClusterStandIn: StandInBase, StandInServer {
  let tools: [String: String]
  private var port = 0
  private var data: String?

  init(runner: any ProcessRunner, tools: [String: String]) {
    self.tools = tools
    super.init(runner: runner)
  }

  var description: String { "postgres (whole cluster) on port \(port)" }

  var owner: String? { geteuid() == 0 ? "postgres" : nil }

  func start(for source: SourceConfig) throws -> SourceConfig {
    guard var settings = source.settings(as: PostgresPITRSettings.self) else { return source }
    let folder = try makeFolder("datamancy-drill-pitr", owner: "postgres")
    port = try Loopback.freePort()
    let data = folder + "/data"
    let access = try writeSecret("pg_hba.conf", "local all all trust\n")
    let ident = try writeSecret("pg_ident.conf", "")
    if geteuid() == 0 { _ = try runner.output(["chown", "postgres:", access, ident]) }
    _ = try runner.output(
      asUser(
        owner,
        [
          PostgresPrograms.path("initdb", tools: tools, dataFolder: nil), "-D", data, "-U", "postgres",
          "--auth-local=trust", "--auth-host=reject", "--no-sync",
        ]))
    self.data = data
    let options = [
      "-p \(port)", "-c listen_addresses=", "-c unix_socket_directories=\(folder)", "-c hba_file=\(access)",
      "-c ident_file=\(ident)", "-c archive_mode=off", "-c ssl=off", "-c logging_collector=off",
      "-c shared_preload_libraries=", "-c fsync=off", "-c shared_buffers=128MB",
    ].joined(separator: " ")
    _ = try runner.output(
      asUser(
        owner,
        [
          PostgresPrograms.path("pg_ctl", tools: tools, dataFolder: data), "-D", data, "-l",
          folder + "/server.log", "-w", "-t", "600", "-o", options, "start",
        ]))
    settings.connection = .socket(folder, port: port, user: "postgres", tools: settings.connection.tools)
    settings.dataDirectory = data
    settings.stopCommand = nil
    settings.startCommand = nil
    return SourceConfig(name: source.name, type: source.type, settings: settings)
  }

  override func remove() {
    if let data, ServerProcess.postmaster(of: data) != nil {
      let pgctl = PostgresPrograms.path("pg_ctl", tools: tools, dataFolder: data)
      _ = try? runner.output(asUser(owner, [pgctl, "-D", data, "-m", "immediate", "-w", "stop"]))
    }
    data = nil
    super.remove()
  }
}
