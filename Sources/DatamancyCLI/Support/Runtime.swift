import DatamancyPOSIX
import DatamancyRepository
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Process-wide settings made once at start-up.
enum Runtime {
  static func prepare() {
    // A tool that stops reading our pipe must give us EPIPE, not kill us.
    signal(SIGPIPE, SIG_IGN)
    MemoryTuning.apply()
    Interruption.install()
  }
}
