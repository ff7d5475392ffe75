import DatamancyOperations
import DatamancyRepository
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/download?set=&item=&path=`: one file's bytes, or a folder as a tar stream,
/// streamed as the repository is read (a pipe between the reading thread and the
/// response: memory stays bounded however large the file).
extension Dashboard {
  func addDownloadRoutes(to router: RouterGroup<WebContext>) {
    router.get("download") { [self] request, context in
      _ = try require(.operator, context)
      let (set, item, path) = try await locate(request)
      let folder = try await readRepository { repository in
        try TreeBrowser(repository: repository).isFolder(path, in: item, of: set)
      }
      var fds: [Int32] = [0, 0]
      guard pipe(&fds) == 0 else { throw Refusal(.internalServerError, "cannot make a pipe") }
      let (input, output) = (fds[0], fds[1])
      Thread.detachNewThread { [self] in
        defer { close(output) }
        do {
          try reading { repository in
            let restorer = ItemRestorer(repository: repository, runner: self.runner)
            let browser = TreeBrowser(repository: repository)
            if folder {
              try restorer.write(folder: try browser.folder(at: path, in: item, of: set), to: output)
            } else {
              try restorer.write(try browser.file(at: path, in: item, of: set), to: output)
            }
          }
        } catch is ItemRestorer.OutputClosed {
          return
        } catch {
          // The response has begun: cutting it short is how the client learns.
          logger.error("dashboard: download of \(item.name) in \(set.shortID) failed: \(describe(error))")
        }
      }
      let base =
        path.split(separator: UInt8(ascii: "/")).last.map { String(decoding: $0, as: UTF8.self) } ?? item.name
      let name = (folder ? base + ".tar" : base)
      let headers: HTTPFields = [
        .contentType: folder ? "application/x-tar" : "application/octet-stream",
        .contentDisposition: Self.attachment(name),
      ]
      return Response(
        status: .ok, headers: headers,
        body: ResponseBody { writer in
          defer { close(input) }
          while let chunk = await Self.offThread({ Self.readChunk(input) }) {
            try await writer.write(chunk)
          }
          try await writer.finish(nil)
        })
    }
  }

  /// Up to 256 KiB from `fd`; nil at its end.
  static func readChunk(_ fd: Int32) -> ByteBuffer? {
    var buffer = ByteBuffer()
    let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 256 * 1024) { space in
      while true {
        let count = read(fd, space.baseAddress, space.count)
        if count < 0 && errno == EINTR { continue }
        return max(count, 0)
      }
    }
    return count > 0 ? buffer : nil
  }

  /// `Content-Disposition` with an ASCII fallback name and the real one in UTF-8.
  static func attachment(_ name: String) -> String {
    let plain = String(
      name.unicodeScalars.map {
        $0.isASCII && $0.value >= 32 && $0 != "\"" && $0 != "\\" ? Character($0) : "_"
      })
    return "attachment; filename=\"\(plain)\"; filename*=UTF-8''\(HTML.urlComponent(name))"
  }
}
