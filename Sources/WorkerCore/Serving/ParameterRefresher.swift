import DataPlane
import Logging
import Training

/// Keeps a `Predictor` at most `interval` behind the job's shards while the job trains: each refresh pulls every
/// dense variable into a fresh `ParameterSet` and swaps it in with the shards' version, so a request is answered by one
/// consistent set of parameters and never waits for a pull. Embedding tables are not pulled (their buffers are empty,
/// `ParameterSet.withoutEmbeddingRows`): a predictor of an embedding model reads the rows each request needs itself.
public struct ParameterRefresher: Sendable {
    /// The job's shards.
    public let shards: ParameterClient
    /// The predictor whose parameters are replaced.
    public let predictor: Predictor
    /// Least time between two pulls (the job spec's `serving.refresh_ms`).
    public let interval: Duration
    private let logger: Logger

    /// A refresher of `predictor` from `shards`; throws for a model with embedding variables whose predictor does not
    /// read their rows per request (it would answer with empty tables).
    public init(shards: ParameterClient, predictor: Predictor, interval: Duration, logger: Logger) throws {
        if !predictor.readsRows, let embedding = predictor.model.variables.first(where: { $0.kind == .embedding }) {
            throw RuntimeFailure(.failedPrecondition, "the model's \(embedding.name) is an embedding table, which is not refreshed whole: its predictor must read rows per request (Predictor(rows:))")
        }
        self.shards = shards
        self.predictor = predictor
        self.interval = max(interval, .milliseconds(1))
        self.logger = logger
    }

    /// Pulls the parameters now and swaps them in; returns the version they are at (the highest shard's).
    @discardableResult
    public func refresh() async throws -> UInt64 {
        let parameters = try ParameterSet.withoutEmbeddingRows(variables: predictor.model.variables)
        let buffers = VariableBuffers(parameters.tensors.map { UnsafeMutableBufferPointer(start: $0.baseAddress, count: $0.count) })
        let version = try await shards.pull(into: buffers).max() ?? 0
        predictor.replace(parameters: parameters, version: version)
        return version
    }

    /// Refreshes every `interval` until cancelled; a failed pull is logged once per failure streak and retried at the
    /// next tick (the predictor keeps answering with the parameters it has).
    public func run() async {
        var failing = false
        while !Task.isCancelled {
            do {
                try await refresh()
                if failing { logger.info("parameters refreshed again", metadata: ["version": "\(predictor.version)"]) }
                failing = false
            } catch is CancellationError {
                return
            } catch {
                if !failing { logger.warning("cannot refresh the served parameters; still answering with version \(predictor.version)", metadata: ["error": "\(error)"]) }
                failing = true
            }
            try? await Task.sleep(for: interval)
        }
    }
}
