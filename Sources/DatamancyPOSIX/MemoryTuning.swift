import CLinux

/// glibc allocator settings for the hot path.
public enum MemoryTuning {
  /// Sealing returns a fresh buffer per chunk; with glibc's defaults each one is
  /// mapped from the kernel and faulted in page by page, which costs more than the
  /// encryption itself. Serving such blocks from the heap avoids it
  /// (docs/benchmarks.md). Call once at start-up.
  public static func apply() {
    mallopt(M_MMAP_THRESHOLD, 16 << 20)
    mallopt(M_TRIM_THRESHOLD, 32 << 20)
  }
}
