import DatamancyRepository
import Foundation

extension StatusReport {
  /// The status of every configured source, each against its RPO (else
  /// `verify.max_age`).
  public static func build(_ repository: Repository, context: OperationContext) throws -> StatusReport {
    let fallback = context.config.verifyMaxAge ?? VerifyPolicy().maxAge
    let rpo = Dictionary(
      context.config.sources.map { ($0.name, $0.rpoSeconds ?? fallback) },
      uniquingKeysWith: { first, _ in first })
    return try StatusReport.build(
      repository: repository, now: context.now(), rpo: { rpo[$0] ?? fallback },
      expected: context.config.sources.map(\.name))
  }
}
