import ClusterAPI
import Foundation
import Logging
import ServiceLifecycle

/// A workerd's serving side (`--serving-listen`): one prediction server (TensorFlow Serving's REST API) for every
/// replica the coordinator places on this worker, and the loop that reports those replicas and reconciles them with
/// the coordinator's list each `poll_ms` — starting the new ones, stopping the withdrawn ones, and replacing one
/// whose assignment changed. A replica keeps answering with the parameters it has while its shards are unreachable.
final class ServingHost: Service, Sendable {
    private let config: WorkerConfig
    private let client: CoordinatorClient
    private let membership: MembershipService
    private let logger: Logger
    private let models = ServedModels()
    private let server: PredictionHTTPServer
    /// The gRPC `Prediction` service over the same models (`--serve-grpc-listen`); nil: none.
    private let grpcServer: PredictionGRPCServer?
    private let replicas = LockedValue<[String: ServingReplica]>([:])
    /// Assignments this worker cannot serve (the model cannot be built here), with why: reported, not retried until
    /// the assignment changes.
    private let broken = LockedValue<[String: (assignment: Tessera_V1_ServingAssignment, problem: String)]>([:])
    private let advertised = LockedValue<String?>(nil)
    private let advertisedGRPC = LockedValue<String?>(nil)

    init(config: WorkerConfig, listen: HostPort, client: CoordinatorClient, membership: MembershipService, logger: Logger) {
        self.config = config
        self.client = client
        self.membership = membership
        self.logger = logger
        let api = PredictionAPI(models: models, token: config.servingToken ?? config.token)
        grpcServer = config.servingGRPCListen.map { PredictionGRPCServer(address: $0, api: api, tls: config.tls, logger: logger) }
        server = PredictionHTTPServer(
            address: listen, api: api, logger: logger, tls: config.tls)
    }

    /// The "host:port" registered for clients: `--serving-advertise`, else the bound address (this host's name when
    /// bound to a wildcard address). Nil before `bind`.
    var advertisedAddress: String? { advertised.value }

    /// The "host:port" of the gRPC `Prediction` service registered for clients: the advertised host (as for HTTP) with
    /// the gRPC server's bound port. Nil without `--serve-grpc-listen` or before `bind`.
    var advertisedGRPCAddress: String? { advertisedGRPC.value }

    /// Listens (before the worker registers, so it registers the bound addresses).
    func bind() async throws {
        let bound = try await server.bind()
        advertised.value = advertisedAddress(of: bound, advertise: config.servingAdvertise)
        if let grpcServer {
            let grpc = try await grpcServer.bind()
            advertisedGRPC.value = advertisedAddress(of: grpc, advertise: config.servingAdvertise.map { HostPort(host: $0.host, port: grpc.port) })
        }
    }

    /// `advertise`, else `bound` (this host's name when bound to a wildcard address).
    private func advertisedAddress(of bound: HostPort, advertise: HostPort?) -> String {
        if let advertise { return advertise.description }
        if bound.host == "0.0.0.0" || bound.host == "::" { return HostPort(host: ProcessInfo.processInfo.hostName, port: bound.port).description }
        return bound.description
    }

    func run() async throws {
        try await bind()
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.server.run() }
                if let grpcServer = self.grpcServer { group.addTask { try await grpcServer.run() } }
                group.addTask { await self.syncLoop() }
                try await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stopAll()
            self.grpcServer?.stop()
        }
        stopAll()
        grpcServer?.stop()
    }

    private func syncLoop() async {
        var wait = Duration.seconds(1)
        var failing = false
        while !Task.isCancelled {
            do {
                let identity = try await membership.waitForIdentity()
                let reports = replicas.value.values.map(\.report) + broken.value.map { job, entry in
                    Tessera_V1_ReplicaReport.with { $0.jobID = job; $0.problem = entry.problem }
                }
                let answer: Tessera_V1_SyncServingResponse
                do {
                    answer = try await client.syncServing(.with {
                        $0.nodeID = identity.id
                        $0.nodeSecret = identity.secret
                        $0.replicas = reports
                    })
                } catch let failure as RuntimeFailure where failure.code == .unauthenticated || failure.code == .notFound {
                    membership.identityRejected(identity)
                    throw failure
                }
                reconcile(answer.assignments)
                wait = .milliseconds(Int64(min(max(answer.pollMs, 100), 60_000)))
                failing = false
            } catch is CancellationError {
                return
            } catch {
                if !failing { logger.warning("cannot sync serving replicas with the coordinator; replicas keep answering", metadata: ["error": "\(error)"]) }
                failing = true
            }
            try? await Task.sleep(for: wait)
        }
    }

    /// Starts, keeps or stops replicas so that exactly the assigned ones run.
    private func reconcile(_ assignments: [Tessera_V1_ServingAssignment]) {
        let wanted = Dictionary(assignments.map { ($0.jobID, $0) }, uniquingKeysWith: { first, _ in first })
        let (stopped, toStart) = replicas.withLock { running -> ([ServingReplica], [Tessera_V1_ServingAssignment]) in
            var stopped: [ServingReplica] = []
            for (job, replica) in running where wanted[job] != replica.assignment {
                stopped.append(replica)
                running[job] = nil
            }
            return (stopped, wanted.values.filter { running[$0.jobID] == nil }.sorted { $0.jobNumber < $1.jobNumber })
        }
        let failed = broken.withLock { broken -> Set<String> in
            broken = broken.filter { wanted[$0.key] == $0.value.assignment }
            return Set(broken.keys)
        }
        for replica in stopped {
            replica.stop()
            logger.info("serving replica stopped", metadata: ["job": "\(replica.jobID)"])
        }
        for assignment in toStart where !failed.contains(assignment.jobID) {
            do {
                let replica = try ServingReplica(assignment: assignment, config: config, models: models, logger: logger)
                replicas.withLock { $0[assignment.jobID] = replica }
                replica.start()
                logger.info("serving replica started", metadata: [
                    "job": "\(assignment.jobID)", "model": "\(assignment.spec.name)", "refresh_ms": "\(assignment.refreshMs)",
                ])
            } catch {
                let problem = (error as? RuntimeFailure)?.message ?? "\(error)"
                broken.withLock { $0[assignment.jobID] = (assignment, problem) }
                logger.error("cannot serve the job", metadata: ["job": "\(assignment.jobID)", "error": "\(problem)"])
            }
        }
    }

    private func stopAll() {
        let all = replicas.withLock { running -> [ServingReplica] in
            defer { running = [:] }
            return Array(running.values)
        }
        for replica in all { replica.stop() }
    }
}
