import ClusterAPI
import Coordinator
import Foundation
import GRPCCore

extension CoordinatorService {
    /// Forgets a job: its record and metric history leave the store, its folder under `<data-dir>/jobs/` (checkpoint
    /// manifests and TensorBoard event files) is removed, and its shards delete its checkpoint files and any state
    /// they still hold. A PENDING or RUNNING job is refused with FAILED_PRECONDITION unless `force`, which cancels it
    /// first. Answers with the job as it was last.
    public func deleteJob(request: Tessera_V1_DeleteJobRequest, context: ServerContext) async throws -> Tessera_V1_DeleteJobResponse {
        let id = try parseJobID(request.id)
        let (record, actions, names) = try await withState { state in
            let (record, actions) = try state.delete(id, force: request.force, now: Self.now())
            return (record, actions, Self.nodeNames(state))
        }
        let job = render(record, withHistory: false, names: names)
        await perform(actions)
        return .with { $0.job = job }
    }

    /// Removes what is left of a deleted job: its checkpoint files on every shard that holds some (named by its
    /// manifests or placement; a shard that does not answer keeps them), its folder under the data dir and its
    /// metrics. A checkpoint of it being taken is let finish first (15 s at most): it would commit a manifest after
    /// the folder is gone.
    func forget(_ id: JobID, shards targets: [ShardTarget]) async {
        let deadline = ContinuousClock.now + .seconds(15)
        while machine.peek({ $0.checkpointInFlight(id) }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        var addresses = Set(targets.map(\.address))
        for (_, entry) in manifests.list(job: id.description) {
            if case .success(let manifest) = entry { addresses.formUnion(manifest.shards.map(\.address)) }
        }
        for address in addresses.sorted() {
            guard let hostPort = try? HostPort(parsing: address) else { continue }
            await shards.prune(id.rawValue, keep: [], on: hostPort)
        }
        tensorBoard.close(id)
        manifests.removeJob(id.description)
        CoordinatorMetrics.forget(id)
    }
}
