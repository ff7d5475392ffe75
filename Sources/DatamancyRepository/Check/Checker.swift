import Crypto
import DatamancyStorage
import Foundation

/// Checks a repository's integrity.
///
/// The structural check authenticates every key, index and set file and checks
/// that every chunk a set names is indexed and every indexed pack exists. With
/// `readData` it also reads every pack whole: its hash must match its name, its
/// header must match the index, and every chunk must decrypt, decompress and hash
/// to its id. Findings name the damaged file; the check never stops at the first.
public struct Checker {
  public let repository: Repository
  /// Called with bytes read during `readData`, for progress displays.
  public var onBytes: ((Int) -> Void)?

  public init(repository: Repository) { self.repository = repository }

  public func check(readData: Bool) throws -> CheckReport {
    var report = CheckReport()
    report.readData = readData
    let storage = repository.storage
    if let damage = repository.configDamage { report.errors.append(.init(file: "config", message: damage)) }
    checkKeys(&report)
    // Sets before index files before packs: what a running backup adds meanwhile
    // is then at worst a pack not yet indexed, never a set naming unknown chunks.
    let sets = loadSets(&report)
    var index = RepositoryIndex()
    for name in try storageCall({ try storage.list(prefix: "index/") }).sorted() {
      report.indexFiles += 1
      do {
        for pack in try repository.readIndexFile(name) { index.add(pack: pack.id, entries: pack.entries) }
      } catch {
        report.errors.append(.init(file: name, message: Self.reason(error)))
      }
    }
    // Trees are read through the repository's index: the one just read.
    repository.index = index
    checkSets(sets, index: index, &report)
    for name in try storageCall({ try storage.list(prefix: "reports/") }).sorted() {
      do {
        _ = try repository.getSealed(name, context: Sealing.Context.report)
      } catch {
        report.errors.append(.init(file: name, message: Self.reason(error)))
      }
    }
    for name in try storageCall({ try storage.list(prefix: "activity/") }).sorted() {
      do {
        _ = try repository.openActivity(name)
      } catch {
        report.errors.append(.init(file: name, message: Self.reason(error)))
      }
    }
    let stored = try repository.packSizes()
    report.packs = stored.count
    let byPack = index.entriesByPack
    for pack in index.packIDs.sorted() {
      let expected = index.expectedSize(of: pack) ?? 0
      if let problem = Repository.packProblem(size: stored[pack], expected: expected) {
        report.errors.append(.init(file: PackFormat.name(of: pack), message: problem))
      }
    }
    let writers = runningWriters()
    for (id, size) in stored.sorted(by: { $0.key < $1.key }) {
      let name = PackFormat.name(of: id)
      guard let entries = byPack[id] else {
        if index.expectedSize(of: id) != nil { continue }  // Every chunk is indexed in another pack.
        if let writer = writers.first {
          report.notes.append(
            .init(file: name, message: "pack is not indexed yet: \(writer) is writing to the repository"))
        } else {
          report.warnings.append(
            .init(
              file: name, message: "pack is not indexed (left by an interrupted backup; prune removes it)"))
        }
        continue
      }
      if readData && size >= (index.expectedSize(of: id) ?? 0) {
        readPack(name: name, indexed: entries, &report)
      }
    }
    return report
  }

  /// The other processes that hold a lock to write (backup, copy, restore's
  /// pre-restore backup), as the lock describes them.
  private func runningWriters() -> [String] {
    let own = ProcessInfo.processInfo.processIdentifier
    let names = (try? repository.storage.list(prefix: "locks/")) ?? []
    return names.sorted().compactMap { name in
      guard let plain = try? repository.getSealed(name, context: Sealing.Context.lock, named: false),
        let lock = try? BackupSet.decoder.decode(LockInfo.self, from: plain),
        lock.pid != own, ["backup", "copy", "restore"].contains(lock.command)
      else { return nil }
      return lock.description
    }
  }

  private func checkKeys(_ report: inout CheckReport) {
    let names = (try? repository.storage.list(prefix: "keys/")) ?? []
    for name in names.sorted() {
      report.keyFiles += 1
      if !repository.isAuthenticKeyFile(name) {
        report.errors.append(.init(file: name, message: "key file fails authentication"))
      }
    }
  }

  private func loadSets(_ report: inout CheckReport) -> [BackupSet] {
    let names = (try? repository.storage.list(prefix: "snapshots/")) ?? []
    return names.sorted().compactMap { name in
      report.sets += 1
      do {
        return try repository.loadSet(name: name)
      } catch {
        report.errors.append(.init(file: name, message: Self.reason(error)))
        return nil
      }
    }
  }

  private func checkSets(_ sets: [BackupSet], index: RepositoryIndex, _ report: inout CheckReport) {
    for set in sets {
      let name = "snapshots/\(set.id)"
      for item in set.items {
        do {
          let missing = try repository.referencedChunks(of: item, in: set, salvage: item.status == .failed)
            .filter { !index.contains($0) }
          if !missing.isEmpty && item.status == .failed {
            // Marked by repair: known lost, and no command offers it as good.
            report.warnings.append(
              .init(file: name, message: "item \(item.name) lost data: \(item.error ?? "marked failed")"))
          } else if !missing.isEmpty {
            report.errors.append(
              .init(
                file: name, message: "item \(item.name) names \(missing.count) chunks that are not indexed"))
          }
        } catch {
          report.errors.append(.init(file: name, message: Self.reason(error)))
        }
      }
    }
  }

  private func readPack(name: String, indexed: [PackEntry], _ report: inout CheckReport) {
    let master = repository.master
    do {
      let data = try storageCall { try repository.storage.get(name) }
      report.bytesRead += data.count
      onBytes?(data.count)
      guard Repository.isNamedByContent(data, name: name) else {
        report.errors.append(.init(file: name, message: "pack content does not match its name"))
        return
      }
      guard let header = try? PackFormat.decodeHeader(pack: data, key: master.encryption) else {
        report.errors.append(.init(file: name, message: "pack header fails authentication"))
        return
      }
      let inHeader = Dictionary(header.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
      let decompressor = ZstdDecompressor()
      for entry in indexed {
        guard inHeader[entry.id] == entry,
          Int(entry.offset) + Int(entry.length) <= data.count
        else {
          report.errors.append(
            .init(
              file: name, message: "index entry for chunk \(entry.id.hex.prefix(16)) does not match the pack")
          )
          continue
        }
        let sealed = data[Int(entry.offset)..<Int(entry.offset) + Int(entry.length)]
        if (try? PackFormat.openChunk(
          sealed, entry: entry, master: master, decompressor: decompressor, recomputeID: true))
          == nil
        {
          report.errors.append(
            .init(
              file: name,
              message: "chunk \(entry.id.hex.prefix(16)) at offset \(entry.offset) fails authentication"))
        }
        report.chunksRead += 1
      }
    } catch {
      report.errors.append(.init(file: name, message: Self.reason(error)))
    }
  }

  static func reason(_ error: any Error) -> String {
    if case RepositoryError.damaged(_, let reason) = error { return reason }
    return String(describing: error)
  }
}
