import ClusterAPI
import Foundation
import JobSpec
import Logging
import Training

/// One replica of a served job on this worker: the model rebuilt from the job's spec and preprocessing, a
/// `ParameterRefresher` pulling its dense parameters from the job's shards every `refresh_ms`, and the predictor
/// entered in the worker's `ServedModels` (under the job's name and id) once the first pull succeeded. An embedding
/// model's predictor reads the rows each request needs from the shards (`ShardRowReader` behind a `RowCache`).
final class ServingReplica: Sendable {
    /// The job served ("job-7").
    let jobID: String
    /// What the coordinator assigned; a different assignment (moved shards, new interval) replaces the replica.
    let assignment: Tessera_V1_ServingAssignment
    private let predictor: Predictor
    private let shards: ParameterClient
    private let refresher: ParameterRefresher
    private let models: ServedModels
    private let status = LockedValue(Status())
    private let task = LockedValue<Task<Void, Never>?>(nil)

    /// What the replica reports to the coordinator.
    struct Status: Sendable {
        var available = false
        var pulledAt: Date?
        var problem: String?
    }

    /// Builds the replica (nothing is pulled until `start`, no embedding table is allocated); throws when the model
    /// cannot be built or served live.
    init(assignment: Tessera_V1_ServingAssignment, config: WorkerConfig, models: ServedModels, logger: Logger) throws {
        self.jobID = assignment.jobID
        self.assignment = assignment
        self.models = models
        let spec = try JobSpec(proto: assignment.spec)
        let preprocessing: Preprocessing
        do { preprocessing = try Preprocessing(json: assignment.preprocessing) } catch {
            throw RuntimeFailure(.failedPrecondition, "\(assignment.jobID) has no usable preprocessing (its chief declared none this version can read): \(error)")
        }
        let model = try ModelBuilder.make(spec: spec, preprocessing: preprocessing)
        let backend = try ComputeDevice.backend(named: "cpu", threads: 1)
        let plan = RoutePlan(placement: assignment.placement)
        // Pulls only: the sender id is outside the job's worker indices (workers are < 4096).
        shards = try ParameterClient(jobID: assignment.jobNumber, workerID: UInt32.max, routes: plan.routes, timeout: Self.shardDeadline) {
            try DataPlaneChannels.make(spec.cluster.transport, address: $0, token: config.token, tls: config.tls)
        }
        let refreshInterval = Duration.milliseconds(Int64(max(assignment.refreshMs, 10)))
        // An embedding model's tables are never held: empty [0, width] buffers stand in for them, and each request
        // reads the rows of its ids from the shards (without creating any), through a cache whose rows answer for
        // one refresh interval, the staleness the dense parameters have.
        let rows: (any EmbeddingRowSource)? = model.variables.contains { $0.kind == .embedding }
            ? RowCache(source: ShardRowReader(shards: shards), lifetime: refreshInterval, maxBytes: Self.rowCacheBytes)
            : nil
        var replicaLogger = logger
        replicaLogger[metadataKey: "job"] = "\(assignment.jobID)"
        do {
            predictor = try Predictor(
                model: model, preprocessing: preprocessing, parameters: try ParameterSet.withoutEmbeddingRows(variables: model.variables),
                version: 0, backend: backend, rows: rows)
            refresher = try ParameterRefresher(shards: shards, predictor: predictor, interval: refreshInterval, logger: replicaLogger)
        } catch {
            shards.close()
            throw error
        }
    }

    /// The deadline of every pull from the job's shards: a refresh, and the row reads of each request of an embedding
    /// model (a shard that does not answer within it makes the request UNAVAILABLE).
    static let shardDeadline = Duration.seconds(10)

    /// Most bytes of embedding rows a replica caches (`RowCache`).
    static let rowCacheBytes = RowCache.defaultMaxBytes

    /// Starts refreshing; the model is served from the first successful pull on.
    func start() {
        let names = [assignment.spec.name, assignment.jobID]
        let rank = assignment.jobNumber
        task.value = Task { [refresher, predictor, models, status] in
            while !Task.isCancelled {
                do {
                    try await refresher.refresh()
                    status.withLock { $0.available = true; $0.pulledAt = Date(); $0.problem = nil }
                    models.add(predictor, names: names, rank: rank)
                } catch is CancellationError {
                    return
                } catch {
                    let message = (error as? RuntimeFailure)?.message ?? "\(error)"
                    status.withLock { $0.problem = message }
                }
                try? await Task.sleep(for: refresher.interval)
            }
        }
    }

    /// Stops refreshing, stops answering and closes the shard connections.
    func stop() {
        task.value?.cancel()
        models.remove(predictor)
        shards.close()
    }

    /// The report for the coordinator.
    var report: Tessera_V1_ReplicaReport {
        let now = status.value
        return .with {
            $0.jobID = jobID
            $0.version = predictor.version
            $0.available = now.available
            $0.ageMs = now.pulledAt.map { Int64(max(0, Date().timeIntervalSince($0) * 1000)) } ?? 0
            $0.problem = now.problem ?? ""
        }
    }
}
