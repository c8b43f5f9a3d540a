import ClusterAPI
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging

/// The coordinator's connections to the psd control services, one per shard address.
final class ShardClientPool: Sendable {
    private let clients = LockedValue<[HostPort: ManagedClient]>([:])
    let logger: Logger
    private let security: LockedValue<RPCSecurity>

    init(logger: Logger, security: RPCSecurity = .none) {
        self.logger = logger
        self.security = LockedValue(security)
    }

    /// Sets the token and TLS used for connections made from now on (the daemon calls it before serving).
    func use(security: RPCSecurity) { self.security.value = security }

    func stub(_ address: HostPort) throws -> Tessera_V1_ParameterServer.Client<HTTP2ClientTransport.Posix> {
        let client = try clients.withLock { clients -> ManagedClient in
            if let existing = clients[address] { return existing }
            let created = try ManagedClient(address: address, security: security.value)
            clients[address] = created
            return created
        }
        return Tessera_V1_ParameterServer.Client(wrapping: client.client)
    }

    /// Creates a job's partitions on one shard.
    func createJob(_ request: Tessera_V1_CreateJobRequest, on address: HostPort) async throws {
        do {
            _ = try await stub(address).createJob(request, options: callOptions(timeout: .seconds(60)))
        } catch let error as RPCError {
            throw RuntimeFailure(error: error, peer: address, doing: "create \(request.jobID)")
        }
    }

    /// Drops a job on one shard, logging (not throwing) failures: the shard may be gone.
    func dropJob(_ jobNumber: UInt64, on address: HostPort) async {
        do {
            _ = try await stub(address).dropJob(.with { $0.jobNumber = jobNumber }, options: callOptions(timeout: .seconds(10)))
        } catch {
            logger.warning("could not drop job on shard", metadata: ["job": "job-\(jobNumber)", "shard": "\(address)", "error": "\(error)"])
        }
    }

    /// Sets a sync job's effective N on one shard; false (logged) when the shard is unreachable or does not hold the job.
    @discardableResult
    func setReplicas(_ jobNumber: UInt64, replicas: Int, on address: HostPort) async -> Bool {
        do {
            _ = try await stub(address).setReplicas(
                .with {
                    $0.jobNumber = jobNumber
                    $0.replicas = Int32(clamping: replicas)
                }, options: callOptions(timeout: .seconds(10)))
            return true
        } catch let error as RPCError where error.code == .notFound {
            return false
        } catch {
            logger.warning("could not set effective replicas on shard", metadata: ["job": "job-\(jobNumber)", "shard": "\(address)", "error": "\(error)"])
            return false
        }
    }

    /// Per-job counters of one shard, or nil (logged at debug) when it does not answer.
    func status(of address: HostPort, timeout: Duration = .seconds(2)) async -> Tessera_V1_ShardStatusResponse? {
        do {
            return try await stub(address).shardStatus(.init(), options: callOptions(timeout: timeout))
        } catch {
            logger.debug("shard status failed", metadata: ["shard": "\(address)", "error": "\(error)"])
            return nil
        }
    }
}
