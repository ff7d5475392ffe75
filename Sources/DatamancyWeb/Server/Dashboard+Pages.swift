import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The pages behind the login (GET).
extension Dashboard {
  func addPageRoutes(to router: RouterGroup<WebContext>) {
    router.get("/") { [self] _, context in
      let visitor = try require(.viewer, context)
      let snapshot = try await snapshot()
      let running = Set(["backup", "verify", "drill"].filter(launcher.isRunning))
      let problem = cache.problem.map {
        "The repository could not be read again at \(WebFormat.time($0.time)): \(describe($0.error)). "
          + "This page shows it as read at \(WebFormat.time(snapshot.time))."
      }
      return Responses.html(
        OverviewPage.render(
          overview(snapshot), visitor: visitor, settings: settings, running: running, problem: problem))
    }
    router.get("sets") { [self] request, context in
      let visitor = try require(.viewer, context)
      return Responses.html(
        SetsPage.render(setsBody(try await snapshot(), request.uri.query ?? ""), visitor: visitor))
    }
    router.get("sets/:id") { [self] _, context in
      let visitor = try require(.viewer, context)
      let snapshot = try await snapshot()
      guard let set = snapshot.set(context.parameters.get("id") ?? "") else {
        throw Refusal(.notFound, "No such set.")
      }
      return Responses.html(SetPage(set: set, snapshot: snapshot, visitor: visitor).render())
    }
    router.get("browse") { [self] request, context in
      let visitor = try require(.viewer, context)
      let (set, item, path) = try await locate(request)
      let entries = try await readRepository { repository in
        try TreeBrowser(repository: repository).list(path, in: item, of: set, recursive: false)
      }
      return Responses.html(
        BrowsePage(set: set, item: item, path: path, entries: entries, visitor: visitor).render())
    }
    router.get("drills") { [self] _, context in
      let visitor = try require(.viewer, context)
      return Responses.html(DrillsPage(snapshot: try await snapshot(), visitor: visitor).render())
    }
    router.get("repository") { [self] _, context in
      let visitor = try require(.viewer, context)
      return Responses.html(
        RepositoryPage(snapshot: try await snapshot(), visitor: visitor, quota: settings.serve.quota).render()
      )
    }
    router.get("restore") { [self] request, context in
      let visitor = try require(.operator, context)
      let (set, item, _) = try await locate(request)
      return Responses.html(
        RestorePage(
          set: set, item: item, isDatabase: isDatabase(item), scratch: settings.serve.scratch,
          visitor: visitor
        ).render())
    }
  }

  /// The overview's shared parts for this snapshot, built by the first request
  /// that sees it.
  func overview(_ snapshot: DashboardSnapshot) -> OverviewPage.Shared {
    if let shared = overviewParts.value, shared.snapshotTime == snapshot.time { return shared }
    let shared = OverviewPage(snapshot: snapshot, settings: settings, now: snapshot.time).shared()
    overviewParts.value = shared
    return shared
  }

  /// The Sets page's content for this snapshot and query, kept for the 64 queries
  /// asked last (one snapshot's worth).
  func setsBody(_ snapshot: DashboardSnapshot, _ query: String) -> HTML {
    if let body = setsPages.withLock({ $0.time == snapshot.time ? $0.bodies[query] : nil }) { return body }
    let body = SetsPage(snapshot: snapshot, query: Form(query)).body()
    setsPages.withLock { pages in
      if pages.time != snapshot.time || pages.bodies.count >= 64 { pages = (snapshot.time, [:]) }
      pages.bodies[query] = body
    }
    return body
  }

  /// The snapshot, or a 503 that says why the repository cannot be read.
  func snapshot() async throws -> DashboardSnapshot {
    switch await cache.snapshot() {
    case .success(let snapshot): return snapshot
    case .failure(let error):
      throw Refusal(.serviceUnavailable, "The repository cannot be read: \(describe(error))")
    }
  }

  /// The set, item and path a query names (`set`, `item`, `path`); 404 when the
  /// set or item does not exist, 400 for a path that tries to leave the item.
  func locate(_ request: Request) async throws -> (BackupSet, BackupItem, [UInt8]) {
    let query = Form.query(of: request)
    let snapshot = try await snapshot()
    guard let set = snapshot.set(query["set"] ?? ""),
      let item = set.items.first(where: { $0.name == query["item"] && $0.status == .ok })
    else { throw Refusal(.notFound, "No such set or item.") }
    do {
      return (set, item, try TreePath.normalized(bytes: PathQuery.decode(request.uri.query ?? "", "path")))
    } catch {
      throw Refusal(.badRequest, "\(error)")
    }
  }

  func isDatabase(_ item: BackupItem) -> Bool {
    settings.database(item) != nil
  }

  /// Runs a read of the repository under a shared lock, off the event loops; a
  /// missing file or folder is a 404.
  func readRepository<T: Sendable>(_ body: @escaping @Sendable (Repository) throws -> T) async throws -> T {
    let result = await Self.offThread { [self] () -> Result<T, any Error> in
      let value = Locked<T?>(nil)
      return Result {
        try reading { repository in value.value = try body(repository) }
        return value.value!
      }
    }
    switch result {
    case .success(let value): return value
    case .failure(let error as TreeBrowser.NotFound): throw Refusal(.notFound, error.description)
    case .failure(let error as TreePath.Invalid): throw Refusal(.badRequest, error.description)
    case .failure(let error): throw Refusal(.internalServerError, describe(error))
    }
  }
}
