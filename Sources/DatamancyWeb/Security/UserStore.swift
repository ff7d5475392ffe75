import DatamancyPOSIX
import Foundation

/// The dashboard's users, one per line of a 0600 file: `NAME ROLE HASH`
/// (`PasswordHash`). `user add|list|remove|passwd` edit it; `serve` reads it at
/// every login, so a removed user cannot log in again and a new one can at once.
public struct UserStore: Sendable {
  public struct User: Sendable, Equatable {
    public var name: String
    public var role: Role
    public var hash: String

    public init(name: String, role: Role, hash: String) {
      self.name = name
      self.role = role
      self.hash = hash
    }
  }

  public struct Problem: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
  }

  public let path: String
  /// The file as last read, and its size, modification and change times.
  private let known = Locked<(stamp: [Int], users: [User])?>(nil)

  public init(path: String) { self.path = path }

  /// The users as the file holds them now, re-read only when it changed (one
  /// stat per request); none when it cannot be read.
  public func current() -> [User] {
    var info = stat()
    guard stat(path, &info) == 0 else { return [] }
    let stamp = [
      Int(info.st_size), info.st_mtim.tv_sec, info.st_mtim.tv_nsec, info.st_ctim.tv_sec, info.st_ctim.tv_nsec,
      Int(truncatingIfNeeded: info.st_ino),
    ]
    if let known = known.value, known.stamp == stamp { return known.users }
    let users = (try? load()) ?? []
    known.value = (stamp, users)
    return users
  }

  /// Letters, digits and `._@-`, at most 64: a name fits a log line and a header.
  public static func validName(_ name: String) -> Bool {
    !name.isEmpty && name.count <= 64
      && name.unicodeScalars.allSatisfy {
        $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._@-".unicodeScalars.contains($0))
      }
  }

  /// The users; none when the file does not exist.
  public func load() throws -> [User] {
    guard FileManager.default.fileExists(atPath: path) else { return [] }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw Problem("cannot read the users file \(path): \(String(cString: strerror(errno)))")
    }
    return try text.split(separator: "\n").enumerated().compactMap { number, line in
      let fields = line.split(separator: " ")
      if line.hasPrefix("#") || fields.isEmpty { return nil }
      guard fields.count == 3, let role = Role(rawValue: String(fields[1])), Self.validName(String(fields[0]))
      else { throw Problem("\(path), line \(number + 1): expected 'NAME ROLE HASH'") }
      return User(name: String(fields[0]), role: role, hash: String(fields[2]))
    }
  }

  public func user(named name: String) throws -> User? { try load().first { $0.name == name } }

  /// Writes the users: a new 0600 file renamed over the old one, so a reader
  /// never sees half a file.
  public func save(_ users: [User]) throws {
    let folder = (path as NSString).deletingLastPathComponent
    if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
      do {
        try FileManager.default.createDirectory(
          atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      } catch {
        throw Problem("cannot create the folder of the users file \(path): \(error.localizedDescription)")
      }
    }
    let text =
      "# datamancy-backup dashboard users: NAME ROLE HASH (edit with 'datamancy-backup user')\n"
      + users.map { "\($0.name) \($0.role.rawValue) \($0.hash)\n" }.joined()
    do {
      try AtomicFile.write(text, to: path)
    } catch {
      throw Problem("the users file was not changed: \(error)")
    }
  }
}
