import HTTPTypes
import Hummingbird
import NIOCore

enum Responses {
  static func html(_ page: HTML, status: HTTPResponse.Status = .ok) -> Response {
    Response(
      status: status, headers: [.contentType: "text/html; charset=utf-8"],
      body: .init(byteBuffer: ByteBuffer(string: page.text)))
  }

  static func text(_ status: HTTPResponse.Status, _ body: String, type: String = "text/plain; charset=utf-8")
    -> Response
  {
    Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: body)))
  }

  /// 303: after a POST, the browser GETs `location`.
  static func redirect(_ location: String, cookies: [String] = []) -> Response {
    var headers: HTTPFields = [.location: location]
    for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
    return Response(status: .seeOther, headers: headers)
  }
}
