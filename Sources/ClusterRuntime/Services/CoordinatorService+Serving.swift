import ClusterAPI
import Coordinator
import GRPCCore

extension CoordinatorService {
    /// Most replicas one SyncServing call may report (a worker runs one per served job it was given).
    static let maxReplicaReports = 1024
    /// How often a serving worker syncs, in milliseconds.
    static let servingPollMs: Int32 = 1000

    /// Serves a job's model from `replicas` replicas (0 stops): `clusterctl serve` / `unserve`.
    public func serveJob(request: Tessera_V1_ServeJobRequest, context: ServerContext) async throws -> Tessera_V1_ServeJobResponse {
        let id = try parseJobID(request.id)
        let refresh = request.hasRefreshMs ? Int(request.refreshMs) : nil
        let actions = try await withState { try $0.serve(id, replicas: Int(request.replicas), refreshMs: refresh, now: Self.now()) }
        await perform(actions)
        let record = try readState { $0.job(id) }
        return .with { if let record { $0.job = render(record, withHistory: false) } }
    }

    /// A serving worker reports its replicas and learns which ones it must run.
    public func syncServing(request: Tessera_V1_SyncServingRequest, context: ServerContext) async throws -> Tessera_V1_SyncServingResponse {
        try authenticate(request.nodeID, request.nodeSecret)
        guard request.replicas.count <= Self.maxReplicaReports else {
            throw RPCError(code: .invalidArgument, message: "SyncServing reports \(request.replicas.count) replicas; at most \(Self.maxReplicaReports)")
        }
        var reports: [ReplicaReport] = []
        for replica in request.replicas {
            guard let job = JobID(parsing: replica.jobID) else {
                throw RPCError(code: .invalidArgument, message: "'\(replica.jobID.prefix(64))' is not a job id: expected job-N or N")
            }
            guard replica.ageMs >= 0, replica.version <= UInt64(Int64.max) else {
                throw RPCError(code: .invalidArgument, message: "\(job): a replica report needs age_ms ≥ 0 and a version below 2^63")
            }
            reports.append(ReplicaReport(
                job: job, version: Int(replica.version), ageSeconds: Double(replica.ageMs) / 1000, available: replica.available,
                problem: replica.problem.isEmpty ? nil : String(replica.problem.prefix(1024))))
        }
        let node = NodeID(request.nodeID)
        // Reports live in memory only: the store is not written.
        let assignments = try readState { try $0.syncServing(worker: node, reports: reports, now: Self.now()) }
        let names = machine.peek { Self.nodeNames($0) }
        return .with {
            $0.pollMs = Self.servingPollMs
            $0.assignments = assignments.map { assignment in
                .with {
                    $0.jobID = assignment.job.description
                    $0.jobNumber = assignment.job.rawValue
                    $0.spec = assignment.spec.proto
                    $0.placement = render(assignment.placement, names: names, transport: assignment.spec.cluster.transport)
                    $0.preprocessing = assignment.preprocessing ?? ""
                    $0.refreshMs = Int32(clamping: assignment.refreshMs)
                }
            }
        }
    }

    /// The serving part of a job as the API reports it: wanted replicas, refresh interval, and each placed replica
    /// with its URL, served step, age and state.
    func renderServing(_ job: JobRecord, into out: inout Tessera_V1_Job) {
        guard let serving = job.serving, job.isServed else { return }
        out.servingReplicas = Int32(clamping: serving.replicas)
        out.servingRefreshMs = Int32(clamping: serving.refreshMs)
        let now = Self.now()
        let (replicas, nodes) = machine.peek { ($0.replicas(of: job.id), $0.nodes()) }
        let byID = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        out.serving = replicas.map { replica in
            .with {
                let node = byID[replica.node]
                $0.node = node?.info.name ?? replica.node.description
                if let address = node?.info.servingAddress {
                    $0.url = "\(node?.info.servingTLS == true ? "https" : "http")://\(address)/v1/models/\(job.spec.name)"
                }
                if let address = node?.info.servingGRPCAddress { $0.grpcAddress = address }
                $0.version = UInt64(max(0, replica.report?.version ?? 0))
                $0.ageSeconds = replica.ageSeconds(now: now) ?? 0
                $0.state = replica.state
                $0.problem = replica.report?.problem ?? ""
            }
        }
    }
}
