import ClusterAPI
import Coordinator
import GRPCCore
import Logging
import ParameterStore

/// The psd's control service: the coordinator creates and drops jobs' partitions through it.
public struct ParameterServerService: Tessera_V1_ParameterServer.SimpleServiceProtocol {
    let shard: ParameterShard
    let logger: Logger
    /// Checkpoint files in the psd's data dir (nil: checkpoints are refused).
    let checkpoints: ShardCheckpointFiles?
    /// Where `init_from` models may be read: the import dir first, then the data dir.
    let modelRoots: [ConfinedFile.Root]

    /// Creates the service around the daemon's shard; checkpoints go under `dataDir`; `init_from` models are read
    /// from `importDir` or `dataDir` only.
    public init(shard: ParameterShard, logger: Logger, dataDir: String? = nil, importDir: String? = nil) {
        self.shard = shard
        self.logger = logger
        self.checkpoints = dataDir.map { ShardCheckpointFiles(dataDir: $0) }
        self.modelRoots =
            (importDir.map { [ConfinedFile.Root(name: "import dir", path: $0)] } ?? [])
            + (dataDir.map { [ConfinedFile.Root(name: "data dir", path: $0)] } ?? [])
    }

    /// The most bytes of a file this psd reads for a restore or init_from: its memory limit.
    var fileLimit: Int { shard.memoryLimitBytes ?? Int.max }

    /// Creates a job's partitions (idempotent for an identical request).
    public func createJob(request: Tessera_V1_CreateJobRequest, context: ServerContext) async throws -> Tessera_V1_CreateJobResponse {
        do {
            guard request.jobNumber > 0 else { throw RuntimeFailure(.invalidArgument, "job_number must be > 0") }
            guard !request.partitions.isEmpty else {
                throw RuntimeFailure(.invalidArgument, "job \(request.jobID) has no partitions to create")
            }
            let partitions = try request.partitions.map { p throws(RuntimeFailure) in try PartitionSpec(proto: p) }
            let optimizer = OptimizerConfig(spec: try OptimizerSpec(proto: request.optimizer))
            let consistency = ConsistencyConfig(spec: try TrainingSpec(proto: request.training))
            do throws(StoreError) {
                try shard.createJob(jobID: request.jobNumber, partitions: partitions, optimizer: optimizer, consistency: consistency)
            } catch {
                if error.code == .resourceExhausted { RefusalMetrics.record(.memory) }
                throw error
            }
            let bytes = (try? shard.stats(jobID: request.jobNumber).totalBytes) ?? 0
            logger.info("created job", metadata: ["job": "\(request.jobID)", "partitions": "\(partitions.count)", "bytes": "\(bytes)"])
            return .with { $0.bytes = Int64(bytes) }
        } catch {
            throw RPCError(failure: error)
        }
    }

    /// Drops a job and frees its memory.
    public func dropJob(request: Tessera_V1_DropJobRequest, context: ServerContext) async throws -> Tessera_V1_DropJobResponse {
        let dropped = shard.dropJob(jobID: request.jobNumber)
        if dropped { logger.info("dropped job", metadata: ["job": "job-\(request.jobNumber)"]) }
        return .with { $0.dropped = dropped }
    }

    /// Counters of every job on this shard.
    public func shardStatus(request: Tessera_V1_ShardStatusRequest, context: ServerContext) async throws -> Tessera_V1_ShardStatusResponse {
        .with {
            $0.jobs = shard.jobIDs().compactMap { id in
                guard let s = try? shard.stats(jobID: id) else { return nil }
                return .with {
                    $0.jobNumber = id
                    $0.version = s.version
                    $0.pushes = Int64(clamping: s.pushes)
                    $0.applied = Int64(clamping: s.applied)
                    $0.staleDropped = Int64(clamping: s.staleDropped)
                    $0.rejected = Int64(clamping: s.rejected)
                    $0.bytesIn = Int64(clamping: s.bytesIn)
                    $0.bytesOut = Int64(clamping: s.bytesOut)
                    $0.bytesHeld = Int64(s.totalBytes)
                    $0.effectiveReplicas = Int32(clamping: s.effectiveReplicas)
                    $0.nonFiniteRejected = Int64(clamping: s.nonFiniteRejected)
                    $0.duplicateDropped = Int64(clamping: s.duplicateDropped)
                }
            }
        }
    }

    /// Sync mode: sets the job's effective N (lowering it may apply what was already accumulated).
    public func setReplicas(request: Tessera_V1_SetReplicasRequest, context: ServerContext) async throws -> Tessera_V1_SetReplicasResponse {
        do {
            try shard.setEffectiveReplicas(jobID: request.jobNumber, Int(request.replicas))
            let version = try shard.version(jobID: request.jobNumber)
            logger.debug("effective replicas set", metadata: ["job": "job-\(request.jobNumber)", "replicas": "\(request.replicas)", "version": "\(version)"])
            return .with { $0.version = version }
        } catch {
            throw RPCError(failure: error)
        }
    }
}
