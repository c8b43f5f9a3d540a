import ClusterAPI
import GRPCCore
import GRPCNIOTransportHTTP2Posix

/// A typed client of the coordinator's control-plane API; every call carries a deadline and
/// failures become `RuntimeFailure`s that name the coordinator's address.
public final class CoordinatorClient: Sendable {
    /// The coordinator's address.
    public let address: HostPort
    private let connection: ManagedClient
    let stub: Tessera_V1_Coordinator.Client<HTTP2ClientTransport.Posix>
    /// Deadline of each call.
    public let timeout: Duration

    /// Dials the coordinator (lazily: the first call waits for the connection).
    public init(address: HostPort, timeout: Duration = .seconds(10), security: RPCSecurity = .none) throws {
        self.address = address
        self.timeout = timeout
        connection = try ManagedClient(address: address, security: security)
        stub = Tessera_V1_Coordinator.Client(wrapping: connection.client)
    }

    /// Closes the connection.
    public func close() { connection.close() }

    func call<R>(_ what: String, timeout: Duration? = nil, _ body: (CallOptions) async throws -> R) async throws -> R {
        do {
            return try await body(callOptions(timeout: timeout ?? self.timeout))
        } catch let error as RPCError {
            throw RuntimeFailure(error: error, peer: address, doing: what)
        }
    }

    /// Registers a node, presenting the secret of its earlier registration (empty for none); returns its id, secret
    /// and the heartbeat interval.
    public func register(_ node: Tessera_V1_NodeInfo, secret: String = "") async throws -> Tessera_V1_RegisterResponse {
        try await call("register") {
            try await stub.register(.with { $0.node = node; $0.nodeSecret = secret }, options: $0)
        }
    }

    /// Sends a heartbeat with the node's secret; true when the coordinator asks the node to register again.
    public func heartbeat(nodeID: UInt64, secret: String) async throws -> Bool {
        try await call("heartbeat") {
            try await stub.heartbeat(.with { $0.nodeID = nodeID; $0.nodeSecret = secret }, options: $0).reregister
        }
    }

    /// Submits a job spec written in YAML.
    public func submit(yaml: String) async throws -> Tessera_V1_Job {
        try await call("submit the job") { try await stub.submitJob(.with { $0.specYaml = yaml }, options: $0).job }
    }

    /// Fetches one job.
    public func job(_ id: String, withHistory: Bool = false) async throws -> Tessera_V1_Job {
        try await call("get job \(id)") {
            try await stub.getJob(.with { $0.id = id; $0.withHistory = withHistory }, options: $0).job
        }
    }

    /// Lists jobs, newest first: the coordinator's default page (`limit` 0) or at most `limit`, optionally only
    /// those in `state` ("running", "failed", …).
    public func jobs(limit: Int32 = 0, state: String = "") async throws -> [Tessera_V1_Job] {
        try await jobPage(limit: limit, state: state).jobs
    }

    /// A page of jobs with the number that matched in all.
    public func jobPage(limit: Int32 = 0, state: String = "") async throws -> Tessera_V1_ListJobsResponse {
        try await call("list jobs") { try await stub.listJobs(.with { $0.limit = limit; $0.state = state }, options: $0) }
    }

    /// Deletes a job (an active one only with `force`, which cancels it first); returns it as it was last.
    public func delete(_ id: String, force: Bool = false) async throws -> Tessera_V1_Job {
        try await call("delete job \(id)") { try await stub.deleteJob(.with { $0.id = id; $0.force = force }, options: $0).job }
    }

    /// Serves a job's model from `replicas` replicas (0 stops), refreshed at most every `refreshMs` (nil keeps the job's).
    public func serve(_ id: String, replicas: Int32, refreshMs: Int32? = nil) async throws -> Tessera_V1_Job {
        try await call("serve job \(id)") {
            try await stub.serveJob(.with {
                $0.id = id
                $0.replicas = replicas
                if let refreshMs { $0.refreshMs = refreshMs }
            }, options: $0).job
        }
    }

    /// A serving worker reports its replicas; the answer lists those it must run.
    public func syncServing(_ request: Tessera_V1_SyncServingRequest) async throws -> Tessera_V1_SyncServingResponse {
        try await call("sync serving replicas") { try await stub.syncServing(request, options: $0) }
    }

    /// Cancels a job.
    public func cancel(_ id: String) async throws -> Tessera_V1_Job {
        try await call("cancel job \(id)") { try await stub.cancelJob(.with { $0.id = id }, options: $0).job }
    }

    /// Takes a consistent checkpoint of a running job now (waits up to two minutes for every shard).
    public func checkpoint(_ id: String) async throws -> Tessera_V1_CheckpointJobResponse {
        try await call("checkpoint job \(id)", timeout: .seconds(120)) { try await stub.checkpointJob(.with { $0.id = id }, options: $0) }
    }

    /// Nodes, jobs and health.
    public func status() async throws -> Tessera_V1_ClusterStatusResponse {
        try await call("get the cluster status") { try await stub.clusterStatus(.init(), options: $0) }
    }

    /// Asks for this worker's task; with `wait` above zero the coordinator may hold the call that long (a long poll)
    /// and answers as soon as a task is ready; the call's deadline is the wait plus the client's timeout.
    public func task(_ identity: NodeIdentity, wait: Duration = .zero) async throws -> Tessera_V1_GetTaskResponse {
        let waitMs = Self.wireMilliseconds(wait)
        return try await call("get a task", timeout: timeout + CoordinatorService.taskHold(waitMs: waitMs)) {
            try await stub.getTask(.with { $0.nodeID = identity.id; $0.nodeSecret = identity.secret; $0.waitMs = waitMs }, options: $0)
        }
    }

    /// A wait as GetTask's `wait_ms` carries it: whole milliseconds, 0 for none (or a non-finite or negative wait),
    /// at most the coordinator's cap.
    public static func wireMilliseconds(_ wait: Duration) -> UInt32 {
        let milliseconds = wait / .milliseconds(1)
        guard milliseconds.isFinite, milliseconds >= 1 else { return 0 }
        return UInt32(min(milliseconds, Double(CoordinatorService.maxTaskWaitMs)).rounded(.down))
    }

    /// Declares the model's variables (chief worker); returns their placement.
    public func declare(_ request: Tessera_V1_DeclareVariablesRequest) async throws -> [Tessera_V1_PartitionPlacement] {
        try await call("declare variables", timeout: .seconds(120)) { try await stub.declareVariables(request, options: $0).placement }
    }

    /// Reports progress; the answer says whether to stop.
    public func report(_ request: Tessera_V1_ReportProgressRequest) async throws -> Tessera_V1_ReportProgressResponse {
        try await call("report progress") { try await stub.reportProgress(request, options: $0) }
    }
}
