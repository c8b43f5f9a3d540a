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
    /// What the restore decided (jobs failed on load, retention): performed once the daemon runs.
    let startupActions = LockedValue<[CoordinatorAction]>([])

    /// Opens the coordinator's store in `dataDir` and restores what it holds: nodes keep their ids (and secrets), jobs
    /// their state; jobs that were running are marked recovering until their shards are checked (and restored); a
    /// stored job this version cannot load is FAILED with the reason; ended jobs past `jobRetention` (0 keeps all)
    /// are deleted.
    public init(
        name: String, dataDir: String, heartbeatInterval: Duration, heartbeatTimeout: Duration, jobRetention: Int = 1000, logger: Logger
    ) throws {
        self.name = name
        self.dataDir = dataDir
        self.logger = logger
        self.heartbeatInterval = heartbeatInterval
        var config = CoordinatorConfig(
            heartbeatInterval: heartbeatInterval.seconds, heartbeatTimeout: heartbeatTimeout.seconds)
        config.jobRetention = jobRetention
        let store = try CoordinatorStore(directory: dataDir, logger: logger)
        self.store = store
        var coordinator: Coordinator
        var actions: [CoordinatorAction] = []
        if let snapshot = try store.load() {
            coordinator = try Coordinator(restoring: snapshot, config: config, logger: logger, now: Self.now())
            actions += coordinator.failUnloadableJobs(now: Self.now())
            coordinator.markRunningJobsRecovering(now: Self.now())
            actions += coordinator.applyRetention()
            logger.notice("coordinator state restored", metadata: [
                "store": "\(store.path)", "nodes": "\(snapshot.nodes.count)", "jobs": "\(snapshot.jobs.count)",
                "running": "\(coordinator.jobCounts.running)",
            ])
        } else {
            coordinator = try Coordinator(config: config, logger: logger)
        }
        try store.save(coordinator.takeChanges())
        startupActions.value = actions
        self.state = Mutex(coordinator)
        self.shards = ShardClientPool(logger: logger)
        self.tensorBoard = TensorBoardFiles(dataDir: dataDir)
        self.manifests = CheckpointManifests(dataDir: dataDir)
        try manifests.prepareRoot()
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
                    let changes = coordinator.takeChanges()
                    storeQueue.async {
                        do {
                            try self.store.save(changes, progressOnly: progressOnly)
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

    /// Registers a psd or workerd; a name whose node is alive needs that node's secret.
    public func register(request: Tessera_V1_RegisterRequest, context: ServerContext) async throws -> Tessera_V1_RegisterResponse {
        try await register(request.node, secret: request.nodeSecret)
    }

    /// Heartbeat: tells forgotten nodes to register again; a wrong node secret is UNAUTHENTICATED.
    public func heartbeat(request: Tessera_V1_HeartbeatRequest, context: ServerContext) async throws -> Tessera_V1_HeartbeatResponse {
        let reregister = try heartbeat(nodeID: request.nodeID, secret: request.nodeSecret)
        return .with { $0.reregister = reregister }
    }

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
        let (nodes, active, counts) = try readState { ($0.nodes(), $0.activeJobs(), $0.jobCounts) }
        let now = Self.now()
        return .with {
            $0.coordinatorName = selfName.value ?? name
            $0.version = tesseraVersion
            $0.uptimeSeconds = Date().timeIntervalSince(startedAt)
            $0.nodes = nodes.map { render($0, jobs: active, now: now) }
            $0.jobsPending = Int32(clamping: counts.pending)
            $0.jobsRunning = Int32(clamping: counts.running)
            $0.jobsSucceeded = Int32(clamping: counts.succeeded)
            $0.jobsFailed = Int32(clamping: counts.failed)
            $0.jobsCancelled = Int32(clamping: counts.cancelled)
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

    func register(_ node: Tessera_V1_NodeInfo, secret: String) async throws -> Tessera_V1_RegisterResponse {
        coordinator.selfName.value = node.name
        return try await coordinator.register(node, secret: secret, trusted: true)
    }

    func heartbeat(nodeID: UInt64, secret: String) async throws -> Bool { try coordinator.heartbeat(nodeID: nodeID, secret: secret) }

    var coordinatorDescription: String { "self" }
}

extension CoordinatorService {
    /// Registers a node. A name whose node is alive is only re-registered with its `secret` (or `trusted`: the
    /// coordinator's own psd, in process), else ALREADY_EXISTS; the answer carries the secret later calls must send.
    public func register(_ node: Tessera_V1_NodeInfo, secret: String = "", trusted: Bool = false) async throws -> Tessera_V1_RegisterResponse {
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
        info.memoryLimitBytes = max(0, Int(node.memoryLimitBytes))
        let record: NodeRecord
        do {
            record = try await withState { try $0.register(info, secret: secret.isEmpty ? nil : secret, trusted: trusted, now: Self.now()) }
        } catch let error as RPCError where error.code == .alreadyExists {
            RefusalMetrics.record(.authentication)
            logger.notice("registration refused", metadata: ["name": "\(node.name)", "error": "\(error.message)"])
            throw error
        }
        logger.info("node registered", metadata: ["node": "\(record.id)", "name": "\(node.name)", "role": "\(role.rawValue)", "address": "\(node.address)"])
        return .with {
            $0.nodeID = record.id.rawValue
            let milliseconds = heartbeatInterval.seconds * 1000
            $0.heartbeatIntervalMs = milliseconds.isFinite ? Int32(min(max(milliseconds, 1), Double(Int32.max))) : 1000
            $0.nodeSecret = record.secret
        }
    }

    /// Records a heartbeat; true when the node is unknown and must register again. A wrong secret throws UNAUTHENTICATED.
    public func heartbeat(nodeID: UInt64, secret: String) throws -> Bool {
        do {
            _ = try state.withLock { (state) throws(CoordinatorError) in
                try state.authenticate(NodeID(nodeID), secret: secret)
                return try state.heartbeat(NodeID(nodeID), now: Self.now())
            }
            return false
        } catch let error where error.code == .unknownNode {
            return true
        } catch {
            RefusalMetrics.record(.authentication)
            throw RPCError(failure: error)
        }
    }

    /// Checks that a node's call carries the secret it was given (UNAUTHENTICATED, or NOT_FOUND for an unknown node).
    func authenticate(_ nodeID: UInt64, _ secret: String) throws {
        do {
            try state.withLock { (state) throws(CoordinatorError) in try state.authenticate(NodeID(nodeID), secret: secret) }
        } catch {
            if error.code == .unauthenticated { RefusalMetrics.record(.authentication) }
            throw RPCError(failure: error)
        }
    }

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
