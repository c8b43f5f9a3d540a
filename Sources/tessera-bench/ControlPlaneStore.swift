import Coordinator
import CoordinatorStore
import Foundation
import JobSpec

/// The coordinator store `tessera-bench control-plane` starts psd on: many finished jobs written straight into
/// `<data-dir>/coordinator.sqlite` through the store's own API (no psd running), as psd would have left them.
enum ControlPlaneStore {
    /// The most jobs the bench seeds (a named bound on `--jobs`).
    static let maxJobs = 1_000_000

    /// The tiny spec every seeded job carries.
    static let specYAML = """
        name: seeded
        model: {type: linear}
        data: {format: synthetic, samples: 64, weights: [2.0], bias: 1.0, batch_size: 8}
        optimizer: {type: sgd, learning_rate: 0.1}
        training: {mode: async, max_steps: 100}
        """

    /// Writes `count` SUCCEEDED jobs into the store in `dataDir`: each is submitted to an in-process `Coordinator`
    /// (so ids, specs and slots are the coordinator's own), cancelled so it ends, then recorded as SUCCEEDED with its
    /// one task finished and 100 steps; all are saved in one transaction. Returns the seconds it took.
    static func seed(dataDir: String, count: Int) throws -> Double {
        guard count >= 0, count <= maxJobs else { throw BenchFailure("--jobs must be 0…\(maxJobs), got \(count)") }
        return try BenchOutput.time {
            var config = CoordinatorConfig()
            config.jobRetention = 0  // keep every job while seeding; psd is started with --job-retention 0 too
            var coordinator = try Coordinator(config: config)
            let spec = try JobSpecParser.parse(yaml: specYAML)
            for i in 0..<count {
                let now = Double(i)
                let id = try coordinator.submit(spec, now: now).id
                _ = try coordinator.cancel(id, now: now + 0.5)
            }
            var changes = coordinator.takeChanges()
            changes.jobs = changes.jobs.map { job in
                var done = job
                done.state = .succeeded
                done.reason = ""
                done.startedAt = job.submittedAt + 0.1
                done.endedAt = job.submittedAt + 0.5
                done.step = 100
                done.samples = 800
                done.workers = job.workers.map { slot in
                    var finished = slot
                    finished.state = .finished
                    return finished
                }
                return done
            }
            let store = try CoordinatorStore(directory: dataDir)
            try store.save(changes)
            let stored = try store.jobCount()
            guard stored == count else { throw BenchFailure("seeded \(stored) jobs into \(store.path), expected \(count)") }
        }
    }
}
