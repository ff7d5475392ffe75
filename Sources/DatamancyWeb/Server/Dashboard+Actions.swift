import DatamancyOperations
import DatamancyRepository
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The actions: POST forms that start jobs through the launcher, exactly as the
/// schedule starts them. Each answers 303 to the run's page, 409 while a job of
/// its kind runs.
extension Dashboard {
  func addActionRoutes(to router: RouterGroup<WebContext>) {
    router.post("actions/backup") { [self] request, context in
      let visitor = try require(.operator, context)
      let source = try await Form.body(of: request, context: context)["source"] ?? ""
      if !source.isEmpty, !settings.sources.contains(source) {
        throw Refusal(.badRequest, "There is no source named \(source).")
      }
      return try start(.backup(source: source.isEmpty ? nil : source), by: visitor)
    }
    router.post("actions/verify") { [self] _, context in
      try start(.verifyAll, by: try require(.operator, context))
    }
    router.post("actions/drill") { [self] _, context in
      try start(.drill, by: try require(.operator, context))
    }
    router.post("actions/prune") { [self] _, context in
      try start(.prune, by: try require(.admin, context))
    }
    router.post("actions/restore") { [self] request, context in
      let visitor = try require(.operator, context)
      let form = try await Form.body(of: request, context: context)
      return try await restore(form, visitor: visitor, request: request, context: context)
    }
  }

  func start(_ command: JobCommand, by visitor: Visitor) throws -> Response {
    do {
      let run = try launcher.launch(kind: command.kind, arguments: command.arguments, startedBy: visitor.user)
      {
        [cache] _ in
        cache.invalidate()
      }
      return Responses.redirect("/runs/\(run.id)")
    } catch let busy as JobLauncher.Busy {
      throw Refusal(.conflict, busy.description + ".")
    }
  }

  private func restore(_ form: Form, visitor: Visitor, request: Request, context: WebContext) async throws
    -> Response
  {
    let snapshot = try await snapshot()
    guard let set = snapshot.set(form["set"] ?? ""),
      let item = set.items.first(where: { $0.name == form["item"] && $0.status == .ok })
    else { throw Refusal(.notFound, "No such set or item.") }
    let target = form["target"] ?? ""
    switch form["mode"] {
    case "database":
      guard isDatabase(item) else { throw Refusal(.badRequest, "\(item.name) is not a database.") }
      guard Self.isName(target, extra: "_", limit: 63) else {
        throw Refusal(.badRequest, "A database name uses letters, digits and _ (at most 63).")
      }
      return try start(.restoreIntoDatabase(set: set.id, item: item.name, database: target), by: visitor)
    case "folder":
      guard Self.isName(target, extra: "._-", limit: 100), target != ".", target != ".."
      else { throw Refusal(.badRequest, "A folder name uses letters, digits, '.', '_' and '-'.") }
      let folder = settings.serve.scratch + "/" + target
      guard !ItemRestorer.occupied(folder) else {
        throw Refusal(.conflict, "\(folder) exists already; choose another name.")
      }
      try? FileManager.default.createDirectory(
        atPath: settings.serve.scratch, withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700])
      return try start(.restoreIntoFolder(set: set.id, item: item.name, folder: folder), by: visitor)
    case "original":
      guard visitor.role >= .admin else {
        throw Refusal(
          .forbidden, "Restoring over live data needs the admin role; you are \(visitor.role.rawValue).")
      }
      guard isDatabase(item) else { throw Refusal(.badRequest, "\(item.name) is not a database.") }
      guard form["confirm"] == item.name else {
        throw Refusal(.badRequest, "Type the item's name, \(item.name), to confirm.")
      }
      try await confirmPassword(form["password"] ?? "", visitor: visitor, request: request, context: context)
      return try start(.restoreOverOriginal(set: set.id, item: item.name), by: visitor)
    default:
      throw Refusal(.badRequest, "mode is database, folder or original.")
    }
  }

  /// True when `text` is 1 to `limit` ASCII letters, digits and `extra`
  /// characters, and nothing else: no trailing newline (a regular expression's
  /// `$` matches before one), no control byte.
  static func isName(_ text: String, extra: String, limit: Int) -> Bool {
    let allowed = CharacterSet(
      charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + extra)
    return (1...limit).contains(text.unicodeScalars.count) && text.unicodeScalars.allSatisfy(allowed.contains)
  }

  /// The admin's password again, checked (and throttled) like a login.
  private func confirmPassword(_ password: String, visitor: Visitor, request: Request, context: WebContext)
    async throws
  {
    let address = clientAddress(request, context: context)
    guard let user = try? users.user(named: visitor.user) else {
      throw Refusal(.forbidden, "Only a user of the users file can confirm with a password.")
    }
    try await admit(user: visitor.user, address: address, what: "restore confirmation")
    var matches = false
    defer { throttle.finish(user: visitor.user, address: address, succeeded: matches, now: now()) }
    matches = await Self.offThread { PasswordHash.matches(password, user.hash) }
    guard matches else {
      logger.warning(
        "dashboard: wrong password confirming a restore for '\(Self.loggable(visitor.user))' from \(address)")
      throw Refusal(.forbidden, "Wrong password.")
    }
  }
}
