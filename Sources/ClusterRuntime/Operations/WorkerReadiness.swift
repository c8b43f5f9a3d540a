import ServiceLifecycle

/// Tells systemd READY=1 once the worker has registered with the coordinator, then WATCHDOG=1 at
/// half the WATCHDOG_USEC interval until shutdown, then STOPPING=1.
struct WorkerReadiness: Service {
    let membership: MembershipService
    let name: String
    let coordinator: HostPort

    func run() async throws {
        let notifier = SystemdNotifier()
        try? await cancelWhenGracefulShutdown {
            let id = try await membership.waitForRegistration()
            notifier.ready(status: "worker \(name) registered with \(coordinator) as node \(id)")
            try await notifier.keepAlive()
        }
        notifier.stopping()
    }
}

extension SystemdNotifier {
    /// Sends WATCHDOG=1 every half watchdog interval until cancelled; without a watchdog, just waits.
    func keepAlive() async throws {
        let interval = watchdogInterval.map { $0 / 2 }
        while true {
            if let interval {
                watchdog()
                try await Task.sleep(for: interval)
            } else {
                try await Task.sleep(for: .seconds(3600))
            }
        }
    }
}
