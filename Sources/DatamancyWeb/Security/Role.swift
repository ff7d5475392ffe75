/// What a dashboard user may do. Each role includes the ones before it.
public enum Role: String, Sendable, CaseIterable, Comparable, Codable {
  /// Reads every page.
  case viewer
  /// Runs backups, verifies and drills; restores into new targets; downloads files.
  case `operator`
  /// Restores over live data, and everything else.
  case admin

  private var rank: Int { Role.allCases.firstIndex(of: self)! }

  public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}
