import DatamancyConfig
import DatamancyRepository

extension Compression {
  /// The repository's compression for the configuration's setting.
  public init(_ setting: CompressionSetting) {
    switch setting {
    case .auto: self = .auto
    case .none: self = .none
    case .zstd(let level): self = .zstd(level: level)
    }
  }
}
