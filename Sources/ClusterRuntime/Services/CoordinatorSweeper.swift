import Coordinator
import ServiceLifecycle

/// Periodically judges node liveness from heartbeats (alive → suspect → dead) and performs what follows, then
/// reads running jobs' figures from their shards; beside it the checkpoint scheduler runs. On graceful shutdown
/// (SIGTERM) it checkpoints every running job before the coordinator stops serving.
struct CoordinatorSweeper: Service {
    let coordinator: CoordinatorService

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            let checkpoints = Task { await CheckpointScheduler(coordinator: coordinator, interval: .seconds(1)).run() }
            defer { checkpoints.cancel() }
            let startup = Task { await coordinator.performStartupActions() }
            defer { startup.cancel() }
            while true {
                try await Task.sleep(for: coordinator.heartbeatInterval)
                let actions = (try? await coordinator.withState { $0.sweep(now: CoordinatorService.now()) }) ?? []
                await coordinator.perform(actions)
                await coordinator.pollShards()
            }
        }
        await coordinator.checkpointRunningJobs(reason: "shutdown")
    }
}

extension CoordinatorService {
    /// Checkpoints every running job (best effort, a few seconds per job): used when the coordinator stops.
    func checkpointRunningJobs(reason: String) async {
        let jobs = state.withLock { $0.activeJobs().filter { $0.state == .running && $0.recovering == nil && $0.placement != nil } }
        for job in jobs {
            do {
                let (manifest, _) = try await takeCheckpoint(job.id, reason: reason, waitLimit: .seconds(5))
                logger.notice("checkpoint before stopping", metadata: ["job": "\(job.id)", "version": "\(manifest.version)"])
            } catch {
                logger.warning("no checkpoint before stopping", metadata: ["job": "\(job.id)", "error": "\(error)"])
            }
        }
    }
}
