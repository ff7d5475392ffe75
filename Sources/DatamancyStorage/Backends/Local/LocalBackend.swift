/// A repository in a folder of the local file system (or a mounted one).
public struct LocalBackend: StorageBackend {
  public static let scheme: String? = nil
  public static let pathForm = "a folder"
  public static let options: [BackendOption] = []
  /// Two packs flushed at once kept the disk busier than one: a first backup of
  /// a 1.6 GB tree took 10 % less time; more gained nothing measurable and cost
  /// a pack of memory each.
  public static let defaultConnections = 2

  public let folder: String

  public init(path: String) throws { folder = path }

  public func open(_ values: BackendValues) throws -> any Storage { LocalStorage(root: folder) }
}
