import Foundation

/// One sentence for any error, for a person: Foundation's file errors
/// (`NSCocoaErrorDomain Code=513 … UserInfo={…}`) become what failed, with which
/// path, and what to do; every other error keeps its own description.
public enum ErrorText {
  public static func describe(_ error: any Error) -> String {
    if let error = error as? CocoaError { return describe(error) }
    let bridged = error as NSError
    if bridged.domain == NSPOSIXErrorDomain, let code = POSIXErrorCode(rawValue: Int32(bridged.code)) {
      return sentence(
        action: "use", path: bridged.userInfo[NSFilePathErrorKey] as? String, errno: code.rawValue)
    }
    if bridged.domain == NSCocoaErrorDomain { return describe(CocoaError(_nsError: bridged)) }
    return "\(error)"
  }

  static func describe(_ error: CocoaError) -> String {
    let path = error.filePath ?? error.url?.path
    let underlying = (error.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap {
      $0.domain == NSPOSIXErrorDomain ? Int32(clamping: $0.code) : nil
    }
    switch error.code {
    case .fileWriteNoPermission:
      return sentence(action: "write", path: path, errno: underlying ?? EACCES)
    case .fileReadNoPermission:
      return sentence(action: "read", path: path, errno: underlying ?? EACCES)
    case .fileNoSuchFile, .fileReadNoSuchFile:
      return sentence(action: "find", path: path, errno: underlying ?? ENOENT)
    case .fileWriteFileExists:
      return sentence(action: "create", path: path, errno: underlying ?? EEXIST)
    case .fileWriteOutOfSpace:
      return sentence(action: "write", path: path, errno: underlying ?? ENOSPC)
    case .fileWriteVolumeReadOnly:
      return sentence(action: "write", path: path, errno: underlying ?? EROFS)
    default:
      let action = error.code.rawValue >= 512 ? "write" : "read"
      return sentence(action: action, path: path, errno: underlying ?? EIO)
    }
  }

  /// `cannot write '/srv/x': permission denied; …` with the advice for `errno`.
  public static func sentence(action: String, path: String?, errno code: Int32) -> String {
    let what = path.map { "'\($0)'" } ?? "a file"
    let reason = String(cString: strerror(code)).lowercased()
    let advice: String
    switch code {
    case EACCES, EPERM:
      advice =
        "check the owner and mode of the path and its folders, or run as a user who may \(action) there"
    case ENOENT: advice = "check that the path exists (a dangling symbolic link points nowhere)"
    case EEXIST: advice = "something is already there: choose another path or move it away"
    case ENOSPC, EDQUOT: advice = "free space on that file system, then run again"
    case EROFS: advice = "the file system is mounted read-only: choose a writable path"
    default: advice = "check the path and the file system"
    }
    return "cannot \(action) \(what): \(reason); \(advice)"
  }
}

extension DefaultStringInterpolation {
  /// `"\(error: error)"`: an error as `ErrorText` words it.
  public mutating func appendInterpolation(error: any Error) { appendLiteral(ErrorText.describe(error)) }
}
