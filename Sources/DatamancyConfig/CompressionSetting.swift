/// `repository.compression`: `auto`, `none`, `zstd` (level 3) or `zstd:N`
/// (N from 1 to 19), read from the text here only; the repository's own
/// `Compression` is made from it in one place (`Compression(setting)`).
public enum CompressionSetting: Equatable, Sendable {
  case auto
  case none
  case zstd(level: Int)

  public static let levels = 1...19

  public init?(text: String) {
    switch text {
    case "auto": self = .auto
    case "none": self = .none
    case "zstd": self = .zstd(level: 3)
    default:
      guard text.hasPrefix("zstd:"), let level = Int(text.dropFirst(5)), Self.levels.contains(level)
      else { return nil }
      self = .zstd(level: level)
    }
  }
}
