import DatamancyRepository

/// `forget SET…`: removes exactly the sets named, readable or damaged (a set file
/// that cannot be read is named by the id `snapshots` lists it under). Every name
/// must match one set before any is removed.
public struct NamedRemoval {
  public let context: OperationContext
  public let repository: Repository

  public init(context: OperationContext, repository: Repository) {
    self.context = context
    self.repository = repository
  }

  /// The ids removed (or, with `dryRun`, that would be), in the order named.
  public func run(_ selectors: [String], dryRun: Bool) throws -> [String] {
    try context.withLock(repository, exclusive: !dryRun, command: "forget") {
      let listing = try repository.setListing()
      let ids = listing.sets.map(\.id) + listing.damaged.map(\.id)
      let chosen = try selectors.map { selector in
        let matches = ids.filter { $0.hasPrefix(selector.lowercased()) }
        guard matches.count == 1, !selector.isEmpty else {
          throw RepositoryError.noSuchSet(selector: selector)
        }
        return matches[0]
      }
      guard !dryRun else { return chosen }
      for id in chosen {
        if let set = listing.sets.first(where: { $0.id == id }) {
          try repository.forget(set)
        } else {
          try repository.forgetFile(id: id)
        }
      }
      return chosen
    }
  }
}
