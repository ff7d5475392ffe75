import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/download?set=&item=&path=`: one file's bytes, or a folder as a tar stream,
/// streamed as the repository is read (a pipe between the reading thread and the
/// response: memory stays bounded however large the file). Downloads at once are
/// bounded in all and per user (`DownloadSlots`), and one whose client takes
/// nothing for `stallTimeout` is ended, so stalled clients cannot pile up
/// threads and chunk windows.
extension Dashboard {
  /// A download whose pending write the client has not taken for this long is
  /// cut off.
  static let stallTimeout: Duration = .seconds(10)
  /// Chunks opened ahead of a download's writer: one being opened while one is
  /// sent. A browser takes bytes slower than one core opens them, and the
  /// default window (two per core) held up to 16 MiB of plaintext per download.
  static let readAhead = 2

  func addDownloadRoutes(to router: RouterGroup<WebContext>) {
    router.get("download") { [self] request, context in
      let visitor = try require(.operator, context)
      // The slot first, so requests beyond the bound cost no repository reads.
      guard downloads.take(visitor.user) else {
        var refusal = Refusal(
          .tooManyRequests,
          "Too many downloads at once (\(downloads.perUser) per user, \(downloads.total) in all); "
            + "try again when one has finished.")
        refusal.headers[.retryAfter] = "10"
        throw refusal
      }
      // Given back when the response ends, or here if the request fails first.
      let slot = DownloadSlot(slots: downloads, user: visitor.user)
      let (set, item, path) = try await locate(request)
      let source = try await readRepository { repository in
        try ItemExport.resolve(path, in: item, of: set, repository: repository)
      }
      let base =
        path.split(separator: UInt8(ascii: "/")).last.map { String(decoding: $0, as: UTF8.self) } ?? item.name
      let folder = source.isFolder
      let headers: HTTPFields = [
        .contentType: folder ? "application/x-tar" : "application/octet-stream",
        .contentDisposition: Self.attachment(folder ? base + ".tar" : base),
      ]
      return Response(
        status: .ok, headers: headers,
        body: ResponseBody { [self] writer in
          defer { slot.give() }
          let input = try startReading(source, item: item, set: set)
          defer { close(input) }
          // Ends the connection when a write has waited `stallTimeout` for the
          // client (time spent reading the repository does not count): the
          // pending write then fails, and the reading thread sees a closed pipe.
          let pending = Locked<ContinuousClock.Instant?>(nil)
          let watchdog = Task { [channel = context.channel] in
            while !Task.isCancelled {
              try await Task.sleep(for: .seconds(1))
              if let since = pending.value, ContinuousClock.now - since > Self.stallTimeout {
                logger.warning(
                  "dashboard: download of \(item.name) in \(set.shortID) by \(visitor.user) stalled; closed")
                channel.close(promise: nil)
                return
              }
            }
          }
          defer { watchdog.cancel() }
          while let chunk = await Self.offThread({ Self.readChunk(input) }) {
            pending.value = .now
            try await writer.write(chunk)
            pending.value = nil
          }
          try await writer.finish(nil)
        })
    }
  }

  /// Starts the thread that writes the item's bytes into a pipe; returns the
  /// pipe's reading end, which the caller closes.
  func startReading(_ source: ItemExport, item: BackupItem, set: BackupSet) throws -> Int32 {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw Refusal(.internalServerError, "cannot make a pipe") }
    let (input, output) = (fds[0], fds[1])
    Thread.detachNewThread { [self] in
      defer { close(output) }
      do {
        try reading { repository in
          try source.write(
            item, of: set, from: repository, runner: self.runner, readAhead: Self.readAhead, to: output)
        }
      } catch is ItemRestorer.OutputClosed {
        return
      } catch {
        // The response has begun: cutting it short is how the client learns.
        logger.error("dashboard: download of \(item.name) in \(set.shortID) failed: \(describe(error))")
      }
    }
    return input
  }

  /// Up to 64 KiB from `fd`; nil at its end. Small enough that a client on a slow
  /// link (down to about 6 KB/s) drains one within `stallTimeout`, since the stall
  /// watch sees progress only between writes.
  static func readChunk(_ fd: Int32) -> ByteBuffer? {
    var buffer = ByteBuffer()
    let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 64 * 1024) { space in
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
