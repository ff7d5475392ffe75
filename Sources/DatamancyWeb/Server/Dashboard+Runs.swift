import DatamancyOperations
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/runs`, a run's page, and its log as server-sent events: the lines written
/// since `from`, then new ones as they come, and `end` with the outcome.
extension Dashboard {
  func addRunRoutes(to router: RouterGroup<WebContext>) {
    router.get("runs") { [self] _, context in
      let visitor = try require(.viewer, context)
      return Responses.html(
        RunsPage(runs: launcher.runs, snapshot: try await snapshot(), visitor: visitor).render())
    }
    router.get("runs/:id") { [self] _, context in
      let visitor = try require(.viewer, context)
      return Responses.html(RunPage(run: try run(context), visitor: visitor).render())
    }
    router.get("runs/:id/events") { [self] request, context in
      _ = try require(.viewer, context)
      let run = try run(context)
      let from = Int(Form.query(of: request)["from"] ?? "") ?? 0
      let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-store"]
      return Response(
        status: .ok, headers: headers,
        body: ResponseBody { writer in
          var next = from
          while true {
            let (lines, after, ended) = run.lines(from: next)
            next = after
            var text = lines.map { "event: line\ndata: \(Self.eventData($0))\n\n" }.joined()
            if ended {
              text += "event: end\ndata: \(Self.eventData(run.ending?.outcome ?? "ended"))\n\n"
            } else if lines.isEmpty {
              text += ": waiting\n\n"  // Finds a client that has gone.
            }
            try await writer.write(ByteBuffer(string: text))
            if ended { break }
            try await Task.sleep(for: .milliseconds(300))
          }
          try await writer.finish(nil)
        })
    }
  }

  func run(_ context: WebContext) throws -> RunLog {
    guard let id = Int(context.parameters.get("id") ?? ""), let run = launcher.run(id: id) else {
      throw Refusal(.notFound, "No such run (runs are kept while the server runs, the last 50).")
    }
    return run
  }

  /// One line of event data: a carriage return or newline would end the field.
  static func eventData(_ line: String) -> String {
    line.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
  }
}
