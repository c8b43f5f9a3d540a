import Coordinator

extension CoordinatorService {
    /// Carries out what the state machine decided, in order. Checkpoints and restores run in the background (child
    /// tasks of the coordinator's lifecycle), so the RPC or tick that started them goes on at once.
    func perform(_ actions: [CoordinatorAction]) async {
        for action in actions {
            switch action {
            case .nodeChanged, .stopWorkers:
                continue  // logged by the state machine; workers learn on their next report
            case .trialStarted(let id, let study):
                if let record = try? readState({ $0.job(id) }) { tensorBoard.start(record, group: study) }
            case .jobEnded(let id, let state, _):
                tensorBoard.end(id, state: state)  // the HParams dashboard's status
            case .setEffectiveReplicas(let id, let replicas, let targets):
                await withTaskGroup(of: Void.self) { group in
                    for shard in targets {
                        guard let address = try? HostPort(parsing: shard.address) else { continue }
                        group.addTask { await self.shards.setReplicas(id.rawValue, replicas: replicas, on: address) }
                    }
                }
            case .checkpoint(let id, let reason):
                await inBackground { await self.performCheckpoint(id, reason: reason) }
            case .pruneCheckpoints(let id, let keep):
                await pruneCheckpoints(id, keep: keep)
            case .recover(let id):
                await inBackground { await self.performRecovery(id) }
            case .pollShards(let polls):
                await poll(polls)
            case .writeSummaries(let id, let step, let scalars):
                tensorBoard.write(id, step: step, scalars: scalars)
            case .dropJob(let id, let targets):
                for shard in targets {
                    guard let address = try? HostPort(parsing: shard.address) else { continue }
                    await shards.dropJob(id.rawValue, on: address)
                }
            case .jobDeleted(let id, let targets):
                await forget(id, shards: targets)
            }
        }
    }

    /// Runs `work` in the coordinator's lifecycle, or now when the lifecycle does not run.
    func inBackground(_ work: @escaping BackgroundWork.Work) async {
        if !background.submit(work) { await work() }
    }

    /// Performs what the restore after a restart decided (jobs failed on load, ended jobs past the retention limit), once.
    func performStartupActions() async {
        await perform(machine.peek { $0.takePendingActions() })
    }
}
