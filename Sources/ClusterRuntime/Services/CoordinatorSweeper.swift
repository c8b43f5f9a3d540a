import Coordinator
import ServiceLifecycle

/// Periodically judges node liveness from heartbeats (alive → suspect → dead) and performs what follows, then
/// reads running jobs' figures from their shards.
struct CoordinatorSweeper: Service {
    let coordinator: CoordinatorService

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            let checkpoints = Task { await CheckpointScheduler(coordinator: coordinator, interval: .seconds(1)).run() }
            defer { checkpoints.cancel() }
            while true {
                try await Task.sleep(for: coordinator.heartbeatInterval)
                let actions = (try? coordinator.withState { $0.sweep(now: CoordinatorService.now()) }) ?? []
                await coordinator.perform(actions)
                await coordinator.pollShards()
            }
        }
    }
}
