import ArgumentParser
import DatamancyOperations
import DatamancyRepository
import DatamancySources

extension DatamancyBackup.Restore {
  /// Where each item goes, from the flags.
  func targets(_ items: [BackupItem], context: CommandContext) throws -> [RestoreTarget] {
    if let targetDB {
      guard items.count == 1, self.item.count == 1 else {
        throw CLIError.usage("--target-db loads one item: name it with --item")
      }
      guard let (engine, _) = SourcePlanning.database(of: items[0], context: context.operations) else {
        throw CLIError.usage(
          "\(items[0].name) is not a database of a configured PostgreSQL or MariaDB source; use --to DIR")
      }
      return [RestoreTarget(item: items[0], place: .database(engine, targetDB), force: force)]
    }
    guard original || roles || to != nil else {
      throw CLIError.usage(
        "say where to restore: --to DIR, --target-db NAME (one item), --original or --roles")
    }
    return try items.map { item in
      if let source = SourcePlanning.globalsSource(of: item, context: context.operations) {
        if roles { return RestoreTarget(item: item, place: .roles(source)) }
        guard let to else {
          throw CLIError.usage(
            "\(item.name) holds roles and tablespaces, applied only when asked: add --roles, or give --to DIR"
          )
        }
        return RestoreTarget(item: item, place: .folder(to))
      }
      if original, let (engine, database) = SourcePlanning.database(of: item, context: context.operations) {
        return RestoreTarget(item: item, place: .database(engine, database), force: force)
      }
      guard let to else {
        throw CLIError.usage("\(item.name) is not a database: give --to DIR for it, or leave it out")
      }
      return RestoreTarget(item: item, place: .folder(to))
    }
  }
}
