import HTTPTypes
import Hummingbird
import NIOCore

/// A request refused with a status and one sentence for the person who sent it.
struct Refusal: Error, HTTPResponseError {
  var status: HTTPResponse.Status
  var message: String
  var headers: HTTPFields = [:]

  init(_ status: HTTPResponse.Status, _ message: String) {
    self.status = status
    self.message = message
  }

  func response(from request: Request, context: some RequestContext) throws -> Response {
    let page = Layout.bare(title: "\(status.code) \(status.reasonPhrase)", body: "<p>\(message)</p>")
    var response = Responses.html(page, status: status)
    response.headers.append(contentsOf: headers)
    return response
  }
}
