import ClusterAPI
import Coordinator
import CoordinatorStore
import Foundation
import GRPCCore
import Logging
import Synchronization
import TensorWire

/// The coordinator's gRPC service: a thin layer over the `Coordinator` state machine that converts
/// protobuf messages, performs the actions the state machine returns (creating and dropping jobs on
/// shards), and maps errors to gRPC statuses.
public final class CoordinatorService: Tessera_V1_Coordinator.SimpleServiceProtocol, Sendable {
    let name: String
    let dataDir: String
    let logger: Logger
    let state: Mutex<Coordinator>
    let shards: ShardClientPool
    let startedAt = Date()
    /// Workers' estimates of each job's total steps.
    let totalSteps = LockedValue<[JobID: Int64]>([:])
    /// Examples in each job's latest evaluation.
    let evalCounts = LockedValue<[JobID: Int64]>([:])
    let heartbeatInterval: Duration
    /// The node name of the psd this coordinator runs in, once it registered.
    let selfName = LockedValue<String?>(nil)
    /// Succeeded jobs whose variables stay on the shards for `clusterctl pull`.
    let retention = JobRetention(limit: 8)
    /// Per-job TensorBoard event files under the data dir.
    let tensorBoard: TensorBoardFiles
    /// The durable store of nodes and jobs (`<data-dir>/coordinator.sqlite`).
    let store: CoordinatorStore
    /// Checkpoint manifests under `<data-dir>/jobs/`.
    let manifests: CheckpointManifests
    /// Jobs with a checkpoint being taken.
    let checkpointsInFlight = LockedValue<Set<JobID>>([])
    /// Where store writes run, one at a time, in the order the state changed.
    let storeQueue = DispatchQueue(label: "tessera.coordinator.store")
    /// Coordinator seconds of each job's latest checkpoint (for `every_seconds`).
    let lastCheckpointAt = LockedValue<[JobID: Double]>([:])

    /// Opens the coordinator's store in `dataDir` and restores what it holds: nodes keep their ids, jobs their
    /// state; jobs that were running are marked recovering until their shards are checked (and restored).
    public init(name: String, dataDir: String, heartbeatInterval: Duration, heartbeatTimeout: Duration, logger: Logger) throws {
        self.name = name
        self.dataDir = dataDir
        self.logger = logger
        self.heartbeatInterval = heartbeatInterval
        let config = CoordinatorConfig(
            heartbeatInterval: heartbeatInterval.seconds, heartbeatTimeout: heartbeatTimeout.seconds)
        let store = try CoordinatorStore(directory: dataDir, logger: logger)
        self.store = store
        var coordinator: Coordinator
        if let snapshot = try store.load() {
            coordinator = try Coordinator(restoring: snapshot, config: config, logger: logger, now: Self.now())
            coordinator.markRunningJobsRecovering(now: Self.now())
            logger.notice("coordinator state restored", metadata: [
                "store": "\(store.path)", "nodes": "\(snapshot.nodes.count)", "jobs": "\(snapshot.jobs.count)",
                "running": "\(snapshot.jobs.filter { $0.state == .running }.count)",
            ])
        } else {
            coordinator = try Coordinator(config: config, logger: logger)
        }
        try store.save(coordinator.snapshot())
        self.state = Mutex(coordinator)
        self.shards = ShardClientPool(logger: logger)
        self.tensorBoard = TensorBoardFiles(dataDir: dataDir)
        self.manifests = CheckpointManifests(dataDir: dataDir)
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    /// Reads (or changes without persisting) the state machine under its lock.
    func readState<R>(_ body: (inout Coordinator) throws -> R) throws -> R {
        do {
            return try state.withLock { try body(&$0) }
        } catch {
            throw RPCError(failure: error)
        }
    }

    /// Runs `body` on the state machine and returns once what it changed is in the store (so a caller answers only
    /// after its change is durable). The snapshot is taken under the lock and written on the store's own serial
    /// queue, in lock order, so the file I/O (fsync) never blocks the concurrency pool's threads.
    func withState<R: Sendable>(progressOnly: Bool = false, _ body: (inout Coordinator) throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<R, any Error>) in
            do {
                try state.withLock { coordinator in
                    let result = try body(&coordinator)
                    let snapshot = coordinator.snapshot()
                    storeQueue.async {
                        do {
                            try self.store.save(snapshot, progressOnly: progressOnly)
                            continuation.resume(returning: result)
                        } catch {
                            self.logger.error("could not persist coordinator state", metadata: ["store": "\(self.store.path)", "error": "\(error)"])
                            continuation.resume(throwing: RPCError(failure: RuntimeFailure(.unavailable, "the coordinator could not persist its state: \(error)")))
                        }
                    }
                }
            } catch {
                continuation.resume(throwing: RPCError(failure: error))
            }
        }
    }

    // MARK: membership

    /// Registers a psd or workerd.
    public func register(request: Tessera_V1_RegisterRequest, context: ServerContext) async throws -> Tessera_V1_RegisterResponse {
        try await register(request.node)
    }

    /// Heartbeat: tells forgotten nodes to register again.
    public func heartbeat(request: Tessera_V1_HeartbeatRequest, context: ServerContext) async throws -> Tessera_V1_HeartbeatResponse {
        .with { $0.reregister = (try? heartbeat(nodeID: request.nodeID)) ?? true }
    }

    // MARK: jobs

    /// Parses, validates and records a job.
    public func submitJob(request: Tessera_V1_SubmitJobRequest, context: ServerContext) async throws -> Tessera_V1_SubmitJobResponse {
        let spec: JobSpec
        do {
            switch request.source {
            case .specYaml(let yaml):
                guard yaml.utf8.count <= 1 << 20 else {
                    throw RuntimeFailure(.invalidArgument, "job spec is \(yaml.utf8.count) bytes; the limit is 1 MiB")
                }
                spec = try JobSpecParser.parse(yaml: yaml)
            case .spec(let proto):
                spec = try JobSpec(proto: proto)
            case nil:
                throw RuntimeFailure(.invalidArgument, "SubmitJob needs spec_yaml or spec")
            }
        } catch {
            throw RPCError(failure: error)
        }
        let record = try await withState { try $0.submit(spec, now: Self.now()) }
        logger.info("job submitted", metadata: ["job": "\(record.id)", "name": "\(spec.name)"])
        return .with { $0.job = render(record, withHistory: false) }
    }

    /// One job.
    public func getJob(request: Tessera_V1_GetJobRequest, context: ServerContext) async throws -> Tessera_V1_GetJobResponse {
        let id = try parseJobID(request.id)
        let record = try readState { state in
            guard let job = state.job(id) else { throw RuntimeFailure(.notFound, "no job \(request.id)") }
            return job
        }
        return .with { $0.job = render(record, withHistory: request.withHistory) }
    }

    /// Every job, newest first.
    public func listJobs(request: Tessera_V1_ListJobsRequest, context: ServerContext) async throws -> Tessera_V1_ListJobsResponse {
        let records = try readState { $0.jobs() }
        return .with { $0.jobs = records.map { render($0, withHistory: false) } }
    }

    /// Cancels a job and drops it on its shards.
    public func cancelJob(request: Tessera_V1_CancelJobRequest, context: ServerContext) async throws -> Tessera_V1_CancelJobResponse {
        let id = try parseJobID(request.id)
        let actions = try await withState { try $0.cancel(id, now: Self.now()) }
        await perform(actions)
        let record = try readState { $0.job(id) }
        return .with { if let record { $0.job = render(record, withHistory: false) } }
    }

    /// Nodes, job counts and health.
    public func clusterStatus(request: Tessera_V1_ClusterStatusRequest, context: ServerContext) async throws -> Tessera_V1_ClusterStatusResponse {
        let (nodes, jobs) = try readState { ($0.nodes(), $0.jobs()) }
        let now = Self.now()
        return .with {
            $0.coordinatorName = selfName.value ?? name
            $0.version = tesseraVersion
            $0.uptimeSeconds = Date().timeIntervalSince(startedAt)
            $0.nodes = nodes.map { render($0, jobs: jobs, now: now) }
            $0.jobsPending = Int32(jobs.filter { $0.state == .pending }.count)
            $0.jobsRunning = Int32(jobs.filter { $0.state == .running }.count)
            $0.jobsSucceeded = Int32(jobs.filter { $0.state == .succeeded }.count)
            $0.jobsFailed = Int32(jobs.filter { $0.state == .failed }.count)
            $0.jobsCancelled = Int32(jobs.filter { $0.state == .cancelled }.count)
            $0.health = nodes.allSatisfy { $0.state == .alive } ? "SERVING" : "DEGRADED"
            if let me = nodes.first(where: { $0.info.role == .ps && $0.info.name == (selfName.value ?? name) }) {
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

/// The coordinator psd's own registration, in process: it also tells the coordinator its own name.
struct LocalRegistrar: MembershipRegistrar {
    let coordinator: CoordinatorService

    func register(_ node: Tessera_V1_NodeInfo) async throws -> Tessera_V1_RegisterResponse {
        coordinator.selfName.value = node.name
        return try await coordinator.register(node)
    }

    func heartbeat(nodeID: UInt64) async throws -> Bool { try coordinator.heartbeat(nodeID: nodeID) }

    var coordinatorDescription: String { "self" }
}

extension CoordinatorService {
    /// Registers a node.
    public func register(_ node: Tessera_V1_NodeInfo) async throws -> Tessera_V1_RegisterResponse {
        guard !node.name.isEmpty else { throw RPCError(code: .invalidArgument, message: "a node must have a name") }
        let role: NodeRole
        switch node.role {
        case .ps: role = .ps
        case .worker: role = .worker
        default: throw RPCError(code: .invalidArgument, message: "node \(node.name) has no role (ps or worker)")
        }
        if role == .ps {
            guard (try? HostPort(parsing: node.address)) != nil else {
                throw RPCError(code: .invalidArgument, message: "psd \(node.name) registered without a valid address ('\(node.address)'): expected HOST:PORT")
            }
        }
        var info = NodeInfo(name: node.name, role: role, address: node.address, device: node.device.isEmpty ? "cpu" : node.device,
                            threads: Int(node.threads), version: node.version, models: node.models)
        info.dataAddress = node.dataAddress.isEmpty ? nil : node.dataAddress
        let record = try await withState { try $0.register(info, now: Self.now()) }
        logger.info("node registered", metadata: ["node": "\(record.id)", "name": "\(node.name)", "role": "\(role.rawValue)", "address": "\(node.address)"])
        return .with {
            $0.nodeID = record.id.rawValue
            $0.heartbeatIntervalMs = Int32(heartbeatInterval.seconds * 1000)
        }
    }

    /// Records a heartbeat; true when the node is unknown and must register again.
    public func heartbeat(nodeID: UInt64) throws -> Bool {
        do {
            _ = try state.withLock { try $0.heartbeat(NodeID(nodeID), now: Self.now()) }
            return false
        } catch {
            return true
        }
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
