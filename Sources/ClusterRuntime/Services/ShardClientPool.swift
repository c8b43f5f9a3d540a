import ClusterAPI
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging

/// The coordinator's connections to the psd control services, one per shard address.
final class ShardClientPool: Sendable {
    private let clients = LockedValue<[HostPort: ManagedClient]>([:])
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    private func stub(_ address: HostPort) throws -> Tessera_V1_ParameterServer.Client<HTTP2ClientTransport.Posix> {
        let client = try clients.withLock { clients -> ManagedClient in
            if let existing = clients[address] { return existing }
            let created = try ManagedClient(address: address)
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
}
