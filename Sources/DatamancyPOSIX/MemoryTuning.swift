import CLinux

/// glibc allocator settings for the hot path.
public enum MemoryTuning {
  /// Sealing returns a fresh buffer per chunk; with glibc's defaults each one is
  /// mapped from the kernel and faulted in page by page, which costs more than the
  /// encryption itself. Serving such blocks from the heap avoids it
  /// (docs/benchmarks.md). Call once at start-up.
  ///
  /// One arena: by default glibc gives each thread that allocates its own arena
  /// (up to 8 per core), and every arena keeps the multi-megabyte chunk buffers
  /// its threads freed; a restore's reading, opening and writing threads each
  /// held their own, which made its peak about 1.6x what one arena needs.
  /// Small allocations are served from per-thread caches without the arena's
  /// lock, and big ones are a few per chunk; alternating runs showed no change
  /// in speed (bench/run gives the peaks, docs/benchmarks.md).
  public static func apply() {
    mallopt(M_MMAP_THRESHOLD, 16 << 20)
    mallopt(M_TRIM_THRESHOLD, 32 << 20)
    mallopt(M_ARENA_MAX, 1)
  }
}

extension MemoryTuning {
  /// Gives the heap's free memory back to the kernel. A long-running process
  /// (`serve`) calls it when a burst of work (downloads) has ended: the settings
  /// above keep freed blocks for reuse, which suits one command, not a server.
  public static func release() { _ = malloc_trim(0) }
}

extension MemoryTuning {
  /// For a process that lives for days and does its heavy work in child
  /// processes (`serve`: backups and verifies are jobs it starts). Its own big
  /// blocks are a download's chunks, at the pace of a browser: each block of
  /// 256 KiB or more is mapped on its own and unmapped when freed, so the
  /// resident size follows the downloads running, not the heap's history of
  /// them. Replaces `apply()`'s thresholds; keeps its one arena.
  public static func applyForServer() {
    mallopt(M_MMAP_THRESHOLD, 256 << 10)
    mallopt(M_TRIM_THRESHOLD, 1 << 20)
  }
}
