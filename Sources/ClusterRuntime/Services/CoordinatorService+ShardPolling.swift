import ClusterAPI
import Coordinator

extension CoordinatorService {
    /// Reads every running job's counters from its shards (ShardStatus, all shards in parallel) and records them:
    /// the job's step, dropped stale gradients and steps/s become the shards' figures, not workers' estimates.
    /// With `only`, polls that job alone (a worker's last report: the final figures land before the job can end).
    func pollShards(only: JobID? = nil) async {
        let jobs = state.withLock {
            $0.activeJobs().filter { $0.state == .running && $0.placement != nil && $0.recovering == nil && (only == nil || $0.id == only) }
        }
        guard !jobs.isEmpty else { return }
        let addresses = Set(jobs.flatMap { $0.shards.map(\.address) })
        let answers = await withTaskGroup(of: (String, Tessera_V1_ShardStatusResponse?).self) { group in
            for address in addresses {
                guard let hp = try? HostPort(parsing: address) else { continue }
                group.addTask { (address, await self.shards.status(of: hp, timeout: .seconds(1))) }
            }
            var answers: [String: Tessera_V1_ShardStatusResponse] = [:]
            for await (address, answer) in group { if let answer { answers[address] = answer } }
            return answers
        }
        let now = Self.now()
        var actions: [CoordinatorAction] = []
        for job in jobs {
            let figures = job.shards.compactMap { shard in
                answers[shard.address]?.jobs.first { $0.jobNumber == job.id.rawValue }
            }
            guard !figures.isEmpty else { continue }
            let sample = ShardSample(
                time: now, version: Int(figures.map(\.version).max() ?? 0),
                staleDropped: Int(figures.map(\.staleDropped).max() ?? 0),
                rejected: Int(figures.reduce(0) { $0 + $1.rejected }))
            actions += (try? await withState(progressOnly: true) { try $0.recordShardSample(job.id, sample, now: now) }) ?? []
        }
        await perform(actions)
    }
}
