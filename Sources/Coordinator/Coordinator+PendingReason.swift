extension Coordinator {
    /// Why a PENDING job has not started, in a sentence for `describe` (nil for other states): the shards it waits for,
    /// the workers that can build its model, a job ahead of it, or its chief declaring the variables.
    public func pendingReason(_ id: JobID) -> String? {
        guard let job = records[id], job.state == .pending else { return nil }
        let wantedShards = job.spec.cluster.psShards ?? 1
        let aliveShards = alivePS().count
        if job.placement == nil, aliveShards < wantedShards {
            return "waiting for \(wantedShards) alive ps shard(s), \(aliveShards) alive"
        }
        let capable = membership.nodes().filter { $0.info.role == .worker && $0.state == .alive && canBuild($0, job.spec) }
        if capable.isEmpty {
            return job.spec.model.type.isBuiltIn
                ? "waiting for an alive worker"
                : "waiting for a worker that registered model type \(job.spec.model.type.rawValue)"
        }
        guard let chief = job.workers.first, chief.state == .assigned else {
            let ahead = activeJobIDs().filter { $0 < id }
            return ahead.isEmpty
                ? "waiting for a worker to take its first task"
                : "waiting for a worker: \(ahead.count) earlier job(s) hold them (\(ahead.prefix(3).map(\.description).joined(separator: ", ")))"
        }
        return job.placement == nil ? "waiting for the chief to declare the model's variables" : "creating the variables on the shards"
    }
}
