import DatamancyConfig
import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import DatamancyStorage
import Foundation
import Logging
import XCTest

/// An engine defined only in this test target (`KeyValueEngine`), added to the
/// registry, goes through backup, verify (with its completeness check), drill
/// restore and recover like the built-in ones: the protocol is the whole contract.
final class EngineProtocolTests: XCTestCase {
  var folder = ""
  let engines = EngineRegistry(EngineRegistry.builtIn.engines + [KeyValueEngine()])

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "engine-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder + "/server", withIntermediateDirectories: true)
    try "sku1=apples\nsku2=pears\nsku3=plums\n".write(
      toFile: folder + "/server/shop.kv", atomically: true, encoding: .utf8)
  }

  override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

  func context(now: Date = Date()) throws -> OperationContext {
    let yaml = """
      repository: { path: \(folder)/repo }
      sources:
        kv1: { type: kv, folder: \(folder)/server, databases: [shop] }
      """
    return OperationContext(
      config: try BackupConfig.parse(yaml, file: "test.yml", types: engines.types), configFile: nil,
      repositoryOverride: nil,
      environment: [
        OperationContext.passwordVariable: OperationFixtures.password,
        "DATAMANCY_STATE_DIR": folder + "/state",
      ],
      runner: SystemProcessRunner(), logger: Logger(label: "test"), now: { now }, host: "test-host",
      noLock: false, guardian: OperationFixtures.TestGuard(), askPassword: nil, engines: engines)
  }

  func initialize(_ context: OperationContext) throws -> Repository {
    var options = InitOptions()
    options.kdfCost = 1024
    let storage = try context.storage(path: try context.repositoryPath(), settings: context.config.repository)
    return try Repository.initialize(
      storage: storage, password: OperationFixtures.password, options: options, now: Date(), host: "test")
  }

  func testAnEngineOfTheTestTargetIsBackedUpVerifiedDrilledRestoredAndRecovered() throws {
    let context = try context()
    _ = try initialize(context)
    // The configuration reads its type through the registry; without it, the type is unknown.
    XCTAssertThrowsError(
      try BackupConfig.parse("sources: { kv1: { type: kv, folder: /x, databases: [a] } }", file: "t.yml")
    ) { XCTAssertTrue("\($0)".contains("unknown source type 'kv'"), "\($0)") }

    let outcome = try BackupRun(context: context).run(sources: [], tags: [], time: nil)
    let item = try XCTUnwrap(outcome.set.items.first { $0.name == "kv1/shop" }, outcome.summary)
    XCTAssertEqual(item.status, .ok, outcome.summary)
    XCTAssertEqual(item.content, KeyValueEngine.content)
    XCTAssertEqual(item.fingerprints?.first?.rows, 3)

    let verified = try VerifyRun(context: context).run(set: "latest", all: false)
    XCTAssertTrue(verified.passed, "\(verified.failures)")
    XCTAssertTrue(
      verified.findings.contains { $0.item == "kv1/shop" && $0.detail.contains("complete kv dump") },
      "\(verified.findings)")

    // A drill picks the database item by itself and loads it into a scratch database.
    let drill = try DrillRun(context: context).run(set: "latest", items: [], all: false)
    XCTAssertTrue(drill.passed, "\(drill)")
    XCTAssertEqual(drill.items.map(\.item), ["kv1/shop"])
    let left = try FileManager.default.contentsOfDirectory(atPath: folder + "/server")
    XCTAssertEqual(left, ["shop.kv"], "the drill's scratch database is gone")

    // Restore into a new database on the source's server.
    let repository = try context.openRepository()
    let set = try repository.findSet("latest")
    let (server, _) = try XCTUnwrap(SourcePlanning.database(of: item, context: context))
    _ = try RestoreExecution(context: context, repository: repository, set: set).run(
      RestoreTarget(item: item, place: .database(server, "shop_copy")))
    let original = try String(contentsOfFile: folder + "/server/shop.kv", encoding: .utf8)
    XCTAssertEqual(try String(contentsOfFile: folder + "/server/shop_copy.kv", encoding: .utf8), original)

    // The server is lost: recover brings the database back under its own name, and proves it.
    try FileManager.default.removeItem(atPath: folder + "/server")
    try FileManager.default.createDirectory(atPath: folder + "/server", withIntermediateDirectories: false)
    var options = RecoverRun.Options()
    options.plan = false
    let recovered = try RecoverRun(context: context, options: options).run()
    XCTAssertTrue(recovered.passed, recovered.text)
    XCTAssertEqual(recovered.items.map(\.item), ["kv1/shop"])
    XCTAssertEqual(recovered.items.first?.outcome, .restored, recovered.text)
    XCTAssertEqual(recovered.items.first?.checks.first?.foundRows, 3, recovered.text)
    XCTAssertEqual(try String(contentsOfFile: folder + "/server/shop.kv", encoding: .utf8), original)
  }

  /// Verify runs the engine's completeness check: stored bytes recorded as a kv
  /// dump but cut before the trailer fail, though every chunk authenticates.
  func testVerifyRunsTheEnginesCompletenessCheck() throws {
    let context = try context()
    let repository = try initialize(context)
    let cut = Array("KVDUMP\nsku1=apples\nsku2=pears\n".utf8)
    try OperationFixtures.backup([("kv1/shop", "kv1", cut)], into: repository, time: Date()) {
      $0.content = KeyValueEngine.content
    }
    let verified = try VerifyRun(context: context).run(set: "latest", all: false)
    XCTAssertFalse(verified.passed, "\(verified.findings)")
    XCTAssertTrue(
      verified.failures.contains { $0.item == "kv1/shop" && $0.detail.contains("cut short") },
      "\(verified.failures)")
  }
}

extension EngineProtocolTests {
  /// The configuration's default types are the registry's: a type the
  /// configuration reads has an engine that runs it.
  func testTheBuiltInTypesAreTheRegistrysTypes() {
    XCTAssertEqual(EngineRegistry.builtIn.types.map(\.names), SourceType.builtIn.map(\.names))
  }
}
