import ClusterAPI
import Coordinator
import CoordinatorStore
import Foundation
import GRPCCore
import Logging
import TensorWire

/// The coordinator's gRPC service: a thin layer over the `Coordinator` state machine that checks and converts
/// protobuf messages, calls the state machine, performs the actions it returns (RPCs to shards, checkpoint files,
/// TensorBoard files) and maps errors to gRPC statuses. Its background work (checkpoints, restores) runs in the
/// daemon's service group (`CoordinatorSweeper`).
public struct CoordinatorService: Tessera_V1_Coordinator.SimpleServiceProtocol, Sendable {
    let name: String
    let logger: Logger
    /// The state machine and the store its changes go to.
    let machine: PersistedCoordinator
    let shards: ShardClientPool
    let startedAt = Date()
    let heartbeatInterval: Duration
    /// Per-job TensorBoard event files under the data dir.
    let tensorBoard: TensorBoardFiles
    /// Checkpoint manifests under `<data-dir>/jobs/`.
    let manifests: CheckpointManifests
    /// Where checkpoints and restores run: child tasks of the coordinator's lifecycle service.
    let background = BackgroundWork()

    /// Opens the coordinator's store in `dataDir` and restores what it holds: nodes keep their ids (and secrets), jobs
    /// their state; jobs that were running are marked recovering until their shards are checked (and restored); a
    /// stored job this version cannot load is FAILED with the reason; ended jobs past `jobRetention` (0 keeps all)
    /// are deleted (their files once the daemon runs).
    public init(
        name: String, dataDir: String, heartbeatInterval: Duration, heartbeatTimeout: Duration, jobRetention: Int = 1000, logger: Logger
    ) throws {
        self.name = name
        self.logger = logger
        self.heartbeatInterval = heartbeatInterval
        var config = CoordinatorConfig(
            heartbeatInterval: heartbeatInterval.seconds, heartbeatTimeout: heartbeatTimeout.seconds)
        config.jobRetention = jobRetention
        let store = try CoordinatorStore(directory: dataDir, logger: logger)
        var coordinator: Coordinator
        if let snapshot = try store.load() {
            coordinator = try Coordinator(restoring: snapshot, config: config, logger: logger, now: Self.now())
            coordinator.prepareAfterRestart(now: Self.now())
            logger.notice("coordinator state restored", metadata: [
                "store": "\(store.path)", "nodes": "\(snapshot.nodes.count)", "jobs": "\(snapshot.jobs.count)",
                "running": "\(coordinator.jobCounts.running)",
            ])
        } else {
            coordinator = try Coordinator(config: config, logger: logger)
        }
        coordinator.version = tesseraVersion
        try store.save(coordinator.takeChanges())
        machine = PersistedCoordinator(coordinator, store: store, logger: logger)
        shards = ShardClientPool(logger: logger)
        tensorBoard = TensorBoardFiles(dataDir: dataDir)
        manifests = CheckpointManifests(dataDir: dataDir)
        try manifests.prepareRoot()
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    // MARK: jobs

    /// Largest job spec SubmitJob accepts, as YAML text or as a serialized protobuf `JobSpec`.
    public static let maxSpecBytes = 1 << 20

    /// Parses, validates and records a job.
    public func submitJob(request: Tessera_V1_SubmitJobRequest, context: ServerContext) async throws -> Tessera_V1_SubmitJobResponse {
        let spec: JobSpec
        do {
            switch request.source {
            case .specYaml(let yaml):
                try Self.checkSpecSize(yaml.utf8.count, "spec_yaml")
                spec = try JobSpecParser.parse(yaml: yaml)
            case .spec(let proto):
                try Self.checkSpecSize((try? proto.serializedBytes() as [UInt8])?.count ?? Int.max, "spec")
                spec = try JobSpec(proto: proto)
            case nil:
                throw RuntimeFailure(.invalidArgument, "SubmitJob needs spec_yaml or spec")
            }
        } catch {
            if let error = error as? SpecError, JobSpecLimits.isLimitRefusal(error) { RefusalMetrics.record(.specBounds) }
            throw RPCError(failure: error)
        }
        let record: JobRecord
        do {
            record = try await withState { try $0.submit(spec, now: Self.now()) }
        } catch let error as RPCError where error.code == .resourceExhausted {
            // The estimate does not fit the shards' free memory, or synthetic data every worker's --max-data-bytes.
            RefusalMetrics.record(error.message.hasPrefix("data.samples") ? .dataBytes : .memory)
            throw error
        }
        tensorBoard.start(record)  // the HParams dashboard's session: the job's hyperparameters
        return .with { $0.job = render(record, withHistory: false) }
    }

    /// One job.
    public func getJob(request: Tessera_V1_GetJobRequest, context: ServerContext) async throws -> Tessera_V1_GetJobResponse {
        let id = try parseJobID(request.id)
        let record = try readState { state in
            guard let job = state.job(id) else { throw RuntimeFailure(.notFound, "no job \(request.id)") }
            return job
        }
        return .with {
            $0.job = render(record, withHistory: request.withHistory)
            $0.job.preprocessing = record.preprocessing ?? ""  // GetJob only: ListJobs stays small
        }
    }

    /// Jobs, newest first: a page of at most `limit` (0 = `defaultJobPage`, at most `maxJobPage`), optionally of one state.
    public func listJobs(request: Tessera_V1_ListJobsRequest, context: ServerContext) async throws -> Tessera_V1_ListJobsResponse {
        let query: JobQuery
        do {
            query = try JobQuery(limit: request.limit, state: request.state)
        } catch {
            throw RPCError(failure: error)
        }
        let (records, total, names) = try readState { state in
            let (page, total) = query.run(on: state)
            return (page, total, Self.nodeNames(state))
        }
        return .with {
            $0.jobs = records.map { render($0, withHistory: false, names: names) }
            $0.total = Int32(clamping: total)
        }
    }

    /// Cancels a job and drops it on its shards.
    public func cancelJob(request: Tessera_V1_CancelJobRequest, context: ServerContext) async throws -> Tessera_V1_CancelJobResponse {
        let id = try parseJobID(request.id)
        let actions = try await withState { try $0.cancel(id, now: Self.now()) }
        await perform(actions)
        let record = try readState { $0.job(id) }
        return .with { if let record { $0.job = render(record, withHistory: false) } }
    }

    /// Nodes, job counts and health (O(nodes × active jobs): ended jobs are only counted).
    public func clusterStatus(request: Tessera_V1_ClusterStatusRequest, context: ServerContext) async throws -> Tessera_V1_ClusterStatusResponse {
        let (nodes, active, counts, selfName, served) = try readState {
            ($0.nodes(), $0.activeJobs(), $0.jobCounts, $0.selfName ?? name, $0.servedJobsByNode())
        }
        let now = Self.now()
        return .with {
            $0.coordinatorName = selfName
            $0.version = tesseraVersion
            $0.uptimeSeconds = Date().timeIntervalSince(startedAt)
            $0.nodes = nodes.map { render($0, jobs: active, served: served, now: now) }
            $0.jobsPending = Int32(clamping: counts.pending)
            $0.jobsRunning = Int32(clamping: counts.running)
            $0.jobsSucceeded = Int32(clamping: counts.succeeded)
            $0.jobsFailed = Int32(clamping: counts.failed)
            $0.jobsCancelled = Int32(clamping: counts.cancelled)
            $0.health = nodes.allSatisfy { $0.state == .alive } ? "SERVING" : "DEGRADED"
            if let me = nodes.first(where: { $0.info.role == .ps && $0.info.name == selfName }) {
                $0.coordinatorAddress = me.info.address
            }
        }
    }

    func parseJobID(_ text: String) throws -> JobID {
        guard let id = JobID(parsing: text) else {
            throw RPCError(code: .invalidArgument, message: "'\(text)' is not a job id: expected job-N or N")
        }
        return id
    }
}

extension CoordinatorService {
    /// Rejects a job spec over `maxSpecBytes` (INVALID_ARGUMENT naming the limit).
    static func checkSpecSize(_ bytes: Int, _ field: String) throws(RuntimeFailure) {
        guard bytes <= maxSpecBytes else {
            RefusalMetrics.record(.specBounds)
            throw RuntimeFailure(.invalidArgument, "the job spec (\(field)) is \(bytes == Int.max ? "too many" : String(bytes)) bytes; the limit is \(maxSpecBytes) bytes (1 MiB)")
        }
    }

    /// Node names by id, for rendering.
    static func nodeNames(_ state: Coordinator) -> [NodeID: String] {
        Dictionary(state.nodes().map { ($0.id, $0.info.name) }, uniquingKeysWith: { a, _ in a })
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
