import DatamancyPOSIX
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Stages an object of a local folder in a temporary file (`.tmp-` prefix, never
/// listed), so its bytes wait in the page cache instead of in memory; the commit
/// flushes it with `fsync`, renames it to its name and syncs the folder that
/// receives it. Released without a commit, it removes the temporary file.
// @unchecked: a writer belongs to the one thread that appends to and commits it.
final class LocalObjectWriter: ObjectWriter, @unchecked Sendable {
  private let storage: LocalStorage
  private let temporary: String
  /// What messages call the object until it has a name.
  private let label: String
  private var descriptor: Int32
  private var committed = false
  private(set) var count = 0

  /// Creates the temporary file in `folder` (relative to the storage's root);
  /// messages name the object `label`, or the temporary file when there is none.
  init(storage: LocalStorage, folder: String, label: String? = nil) throws {
    self.storage = storage
    let base = folder.isEmpty ? storage.root : storage.root + "/" + folder
    let file = LocalStorage.temporaryPrefix + UUID().uuidString
    self.label = label ?? (folder.isEmpty ? file : folder + "/" + file)
    try storage.makeFolder(base, for: self.label)
    temporary = base + "/" + file
    descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw storage.ioError("create", self.label) }
  }

  deinit {
    if descriptor >= 0 { close(descriptor) }
    if !committed { unlink(temporary) }
  }

  func append(_ bytes: UnsafeRawBufferPointer) throws {
    guard bytes.count > 0 else { return }
    if FileDescriptor.writeAll(descriptor, bytes) != 0 { throw storage.ioError("write", label) }
    count += bytes.count
  }

  func commit(as name: String) throws {
    guard fsync(descriptor) == 0 else { throw storage.ioError("sync", name) }
    close(descriptor)
    descriptor = -1
    let final = storage.root + "/" + name
    let folder = (final as NSString).deletingLastPathComponent
    if folder != (temporary as NSString).deletingLastPathComponent {
      try storage.makeFolder(folder, for: name)
    }
    guard rename(temporary, final) == 0 else { throw storage.ioError("rename", name) }
    committed = true
    storage.syncFolder(folder)
  }
}
