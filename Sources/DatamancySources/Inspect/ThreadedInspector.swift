import DatamancyRepository
import Foundation

/// Runs a sequential parser over a stream on its own thread: `consume` hands over
/// copies of the bytes through a small bounded queue, so the parser can be written
/// as plain "read an int, read a string" code and the backup is never held up by
/// more than the queue's few buffers. A parser that gives up keeps draining.
public class ThreadedInspector: StreamInspector, @unchecked Sendable {
  private let queue = Channel<Data>(capacity: 8)
  private let done = DispatchSemaphore(value: 0)
  private var outcome: Result<[TableFingerprint]?, Error> = .success(nil)

  init() {}

  /// Starts the parser thread; call once, from the subclass initializer.
  func start() {
    Thread.detachNewThread { [self] in
      let reader = StreamReader(queue: queue)
      outcome = Result { try parse(reader) }
      reader.drain()
      done.signal()
    }
  }

  /// The parser: reads the whole stream from `reader`; returns fingerprints or throws.
  func parse(_ reader: StreamReader) throws -> [TableFingerprint]? { nil }

  public func consume(_ bytes: UnsafeRawBufferPointer) {
    queue.put(Data(bytes))
  }

  public func finish() throws -> [TableFingerprint]? {
    queue.close()
    done.wait()
    return try outcome.get()
  }
}

/// Blocking reads over the queued buffers, for parsers.
final class StreamReader {
  private let queue: Channel<Data>
  private var current = Data()
  private var position = 0

  init(queue: Channel<Data>) { self.queue = queue }

  struct EndOfStream: Error {}

  /// Ensures at least one unread byte; false at the end of the stream.
  func fill() -> Bool {
    while position >= current.count {
      guard let next = queue.take() else { return false }
      current = next
      position = 0
    }
    return true
  }

  func byte() throws -> UInt8 {
    guard fill() else { throw EndOfStream() }
    defer { position += 1 }
    return current[current.startIndex + position]
  }

  /// Calls `body` with the next up-to-`limit` bytes available without waiting
  /// beyond one buffer; returns how many were consumed.
  func withNext(upTo limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) throws -> Int {
    guard fill() else { throw EndOfStream() }
    let n = min(limit, current.count - position)
    current.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[position..<position + n])) }
    position += n
    return n
  }

  /// Reads exactly `count` bytes.
  func bytes(_ count: Int) throws -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(count)
    while out.count < count {
      _ = try withNext(upTo: count - out.count) { out.append(contentsOf: $0) }
    }
    return out
  }

  var atEnd: Bool { !fill() }

  /// Discards the rest of the stream.
  func drain() {
    while queue.take() != nil {}
  }
}
