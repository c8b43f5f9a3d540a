import ClusterAPI
import GRPCCore

extension CoordinatorService {
    /// Forgets an ended job (being written: issue 12).
    public func deleteJob(request: Tessera_V1_DeleteJobRequest, context: ServerContext) async throws -> Tessera_V1_DeleteJobResponse {
        throw RPCError(code: .unimplemented, message: "DeleteJob is not implemented yet")
    }
}
