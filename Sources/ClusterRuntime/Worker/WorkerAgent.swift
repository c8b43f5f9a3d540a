import ClusterAPI
import Logging
import ServiceLifecycle

/// The worker's main loop: ask the coordinator for a task, run it, report how it ended, repeat.
final class WorkerAgent: Service, Sendable {
    private let config: WorkerConfig
    private let client: CoordinatorClient
    private let membership: MembershipService
    private let logger: Logger

    init(config: WorkerConfig, client: CoordinatorClient, membership: MembershipService, logger: Logger) {
        self.config = config
        self.client = client
        self.membership = membership
        self.logger = logger
    }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await self.loop()
            }
        } catch is CancellationError {
            logger.info("worker stopping")
        }
    }

    private func loop() async throws {
        while !Task.isCancelled {
            // The identity of the current registration (after a re-registration, the new one).
            let identity = try await membership.waitForIdentity()
            let answer: Tessera_V1_GetTaskResponse
            do {
                answer = try await client.task(identity, wait: config.taskWait)
            } catch {
                if let failure = error as? RuntimeFailure, failure.code == .unauthenticated || failure.code == .notFound {
                    // The coordinator does not know this node by that id and secret: register again.
                    membership.identityRejected(identity)
                }
                logger.warning("could not get a task", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(1))
                continue
            }
            guard answer.hasTask else {
                let wait = answer.retryAfterMs > 0 ? Duration.milliseconds(Int64(answer.retryAfterMs)) : config.pollInterval
                try await Task.sleep(for: wait)
                continue
            }
            let task = answer.task
            logger.info("starting task", metadata: ["job": "\(task.jobID)", "worker": "\(task.workerIndex)/\(task.workerCount)", "chief": "\(task.isChief)"])
            let runner = TaskRunner(assignment: task, identity: identity, config: config, client: client, logger: logger)
            do {
                let outcome = try await runner.run()
                logger.info("task ended", metadata: ["job": "\(task.jobID)", "outcome": "\(outcome)"])
            } catch is CancellationError {
                throw CancellationError()
            } catch let failure as RuntimeFailure where failure.code == .aborted {
                // The coordinator took the task back (the job ended or stops): nothing failed.
                logger.info("task withdrawn", metadata: ["job": "\(task.jobID)", "reason": "\(failure.message)"])
            } catch {
                logger.error("task failed", metadata: ["job": "\(task.jobID)", "error": "\(error)"])
                _ = try? await client.report(.with {
                    $0.nodeID = identity.id
                    $0.nodeSecret = identity.secret
                    $0.jobID = task.jobID
                    $0.failure = "worker \(config.name): \(error)"
                    $0.failureShard = (error as? RuntimeFailure)?.lostShard ?? ""
                })
            }
        }
    }
}
