import Coordinator
import ServiceLifecycle

/// The coordinator's lifecycle in the daemon's service group. It ticks the state machine every
/// `CoordinatorConfig.tickInterval` and performs what it decides (liveness, shard polls, restores, periodic
/// checkpoints), and runs the coordinator's background work (`BackgroundWork`: checkpoints, restores, what a restart
/// decided) as child tasks of one task group. On graceful shutdown (SIGTERM) the ticks stop, the background work
/// finishes, then every running job is checkpointed before the coordinator stops serving; on cancellation everything
/// is cancelled.
struct CoordinatorSweeper: Service {
    let coordinator: CoordinatorService

    func run() async throws {
        let coordinator = coordinator
        coordinator.background.accept()
        await withDiscardingTaskGroup { group in
            group.addTask { await coordinator.background.run() }
            group.addTask {
                try? await cancelWhenGracefulShutdown { try await coordinator.tickForever() }
                coordinator.background.finish()
            }
            await coordinator.inBackground { await coordinator.performStartupActions() }
        }
        guard !Task.isCancelled else { return }
        await coordinator.checkpointRunningJobs()
    }
}

extension CoordinatorService {
    /// Ticks the state machine and performs what it decides, until cancelled.
    func tickForever() async throws {
        let interval = Duration.seconds(machine.peek { $0.config.tickInterval })
        while true {
            try await Task.sleep(for: interval)
            let now = Self.now()
            await perform((try? await withState { $0.tick(now: now) }) ?? [])
        }
    }
}
