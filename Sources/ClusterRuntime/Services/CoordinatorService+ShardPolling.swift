import ClusterAPI
import Coordinator

extension CoordinatorService {
    /// Reads the polled jobs' counters from their shards (ShardStatus, each shard once, all in parallel, 1 s each) and
    /// hands them to the state machine, which makes them the jobs' step, dropped stale gradients and steps/s; then
    /// performs what follows (a job reaching max_steps).
    func poll(_ polls: [ShardPoll]) async {
        let addresses = Set(polls.flatMap { $0.shards.map(\.address) })
        let answers = await withTaskGroup(of: (String, Tessera_V1_ShardStatusResponse?).self) { group in
            for address in addresses {
                guard let hp = try? HostPort(parsing: address) else { continue }
                group.addTask { (address, await self.shards.status(of: hp, timeout: .seconds(1))) }
            }
            var answers: [String: Tessera_V1_ShardStatusResponse] = [:]
            for await (address, answer) in group { if let answer { answers[address] = answer } }
            return answers
        }
        var figures: [JobID: [ShardFigures]] = [:]
        for poll in polls {
            let found = poll.shards.compactMap { shard in
                answers[shard.address]?.jobs.first { $0.jobNumber == poll.job.rawValue }
            }
            guard !found.isEmpty else { continue }
            figures[poll.job] = found.map { ShardFigures(version: $0.version, staleDropped: $0.staleDropped, rejected: $0.rejected) }
        }
        guard !figures.isEmpty else { return }
        let now = Self.now()
        await perform((try? await withState(progressOnly: true) { $0.recordShardFigures(figures, now: now) }) ?? [])
    }
}
