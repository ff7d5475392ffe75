import DatamancyRepository
import Foundation

/// Runs a sequential parser over a stream on its own thread: `consume` hands over
/// copies of the bytes through a small bounded queue, so the parser can be written
/// as plain "read an int, read a string" code and the backup is never held up by
/// more than the queue's few buffers. A parser that gives up keeps draining.
// @unchecked: `pending` and `finished` belong to the thread that feeds the stream;
// the parser thread writes `outcome` before it signals `done`, and `finish` reads it
// only after waiting on `done`; the buffers pass through `Channel`s.
public class ThreadedInspector: StreamInspector, @unchecked Sendable {
  private let queue = Channel<[UInt8]>(capacity: 4)
  /// Buffers the parser has finished with, to fill again: a fresh 1 MiB array
  /// per hand-over cost a page fault per 4 KiB.
  private let spare = Channel<[UInt8]>()
  private let done = DispatchSemaphore(value: 0)
  private var outcome: Result<[TableFingerprint]?, any Error> = .success(nil)
  private var finished = false
  private var pending: [UInt8] = []
  static let handOver = 1 << 20

  init() {}

  /// Starts the parser thread; call once, from the subclass initializer.
  func start() {
    Thread.detachNewThread { [self] in
      let reader = StreamReader(queue: queue, spare: spare)
      outcome = Result { try parse(reader) }
      reader.drain()
      done.signal()
    }
  }

  /// The parser: reads the whole stream from `reader`; returns fingerprints or throws.
  func parse(_ reader: StreamReader) throws -> [TableFingerprint]? { nil }

  /// Gathers the bytes into 1 MiB buffers before handing them over: dump tools
  /// write (and we read) a few KiB at a time, and a hand-over per read would cost
  /// more in thread switches than the parsing.
  public func consume(_ bytes: UnsafeRawBufferPointer) {
    if pending.capacity < Self.handOver {
      pending = spare.poll() ?? []
      pending.removeAll(keepingCapacity: true)
      pending.reserveCapacity(Self.handOver)
    }
    pending.append(contentsOf: bytes)
    if pending.count >= Self.handOver {
      queue.put(pending)
      pending = []
    }
  }

  /// Ends the stream and waits for the parser; later calls return the same verdict.
  public func finish() throws -> [TableFingerprint]? {
    if !finished {
      if !pending.isEmpty { queue.put(pending) }
      pending = []
      queue.close()
      done.wait()
      finished = true
    }
    return try outcome.get()
  }
}

/// Blocking reads over the queued buffers, for parsers.
final class StreamReader {
  private let queue: Channel<[UInt8]>
  private let spare: Channel<[UInt8]>
  private var current: [UInt8] = []
  private var position = 0

  init(queue: Channel<[UInt8]>, spare: Channel<[UInt8]>) {
    self.queue = queue
    self.spare = spare
  }

  struct EndOfStream: Error {}

  /// Ensures at least one unread byte; false at the end of the stream.
  func fill() -> Bool {
    while position >= current.count {
      guard var next = queue.take() else { return false }
      swap(&current, &next)
      if next.capacity >= ThreadedInspector.handOver { spare.put(next) }
      position = 0
    }
    return true
  }

  func byte() throws -> UInt8 {
    guard fill() else { throw EndOfStream() }
    defer { position += 1 }
    return current[position]
  }

  /// Calls `body` with exactly the next `count` bytes: in place when the current
  /// buffer holds them, else gathered across buffers.
  func read(_ count: Int, _ body: (UnsafeRawBufferPointer) -> Void) throws {
    if position + count <= current.count {
      current.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[position..<position + count])) }
      position += count
    } else {
      try bytes(count).withUnsafeBytes { body($0) }
    }
  }

  /// Calls `body` with the next up-to-`limit` bytes available without waiting
  /// beyond one buffer; returns how many were consumed.
  func withNext(upTo limit: Int, _ body: (UnsafeRawBufferPointer) -> Void) throws -> Int {
    try scan { bytes in
      let n = min(limit, bytes.count)
      body(UnsafeRawBufferPointer(rebasing: bytes[..<n]))
      return n
    }
  }

  /// Calls `body` with all the unread bytes of the current buffer (waiting for
  /// the next buffer when none are left); `body` returns how many it used.
  func scan(_ body: (UnsafeRawBufferPointer) throws -> Int) throws -> Int {
    guard fill() else { throw EndOfStream() }
    let used = try current.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[position...])) }
    position += used
    return used
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
