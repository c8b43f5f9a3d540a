import ClusterAPI
import Coordinator
import Foundation
import GRPCCore

extension CoordinatorService {
    /// Takes a consistent checkpoint of a running job now.
    public func checkpointJob(request: Tessera_V1_CheckpointJobRequest, context: ServerContext) async throws -> Tessera_V1_CheckpointJobResponse {
        let id = try parseJobID(request.id)
        do {
            let (manifest, path) = try await takeCheckpoint(id, reason: "requested")
            return .with {
                $0.version = manifest.version
                $0.manifest = path
                $0.files = Int32(manifest.shards.count)
                $0.bytes = manifest.shards.reduce(0) { $0 + $1.bytes }
            }
        } catch {
            throw RPCError(failure: error)
        }
    }

    /// Takes one consistent checkpoint of a job across its shards and commits its manifest: sync jobs at one
    /// step boundary (every shard copies itself at the same version), async jobs by pausing every shard's
    /// updates, copying, resuming. Then keeps the newest `checkpoint.keep` and deletes older files.
    @discardableResult
    func takeCheckpoint(_ id: JobID, reason: String, waitLimit: Duration = .seconds(60)) async throws -> (CheckpointManifest, String) {
        guard let job = state.withLock({ $0.job(id) }) else { throw RuntimeFailure(.notFound, "no job \(id)") }
        guard job.placement != nil, job.state == .running || job.state == .succeeded else {
            throw RuntimeFailure(.failedPrecondition, "\(id) is \(job.state.rawValue) without placed variables: nothing to checkpoint")
        }
        guard job.recovering == nil else { throw RuntimeFailure(.unavailable, "\(id) is recovering; checkpoint it once it runs again") }
        // The final checkpoint waits for a periodic one in flight; others give way.
        let waitUntil = ContinuousClock.now + (reason == "final" ? waitLimit : .zero)
        while !checkpointsInFlight.withLock({ $0.insert(id).inserted }) {
            guard ContinuousClock.now < waitUntil else {
                throw RuntimeFailure(.aborted, "a checkpoint of \(id) is already being taken")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        defer { _ = checkpointsInFlight.withLock { $0.remove(id) } }
        let targets = try job.shards.map { ($0, try HostPort(parsing: $0.address)) }
        let names = state.withLock { Dictionary($0.nodes().map { ($0.id, $0.info.name) }, uniquingKeysWith: { a, _ in a }) }
        let sync = job.spec.training.mode == .sync
        var answers: [Tessera_V1_CheckpointShardResponse] = []
        if job.state != .running {
            // The job ended: no update is in flight any more, each shard's state is final.
            answers = try await onEveryShard(targets) { address in
                try await self.shards.checkpoint(id.rawValue, atVersion: nil, timeout: .seconds(10), on: address)
            }
        } else if sync {
            var attempt = 0
            while true {
                attempt += 1
                var versions: [UInt64] = []
                for (_, address) in targets {
                    guard let status = await shards.status(of: address, timeout: .seconds(5)),
                        let entry = status.jobs.first(where: { $0.jobNumber == id.rawValue })
                    else { throw RuntimeFailure(.unavailable, "shard \(address) does not answer or lost \(id); checkpoint not taken") }
                    versions.append(entry.version)
                }
                let target = Self.checkpointTarget(versions: versions, every: reason == "every_steps" ? job.spec.training.checkpoint.everySteps : nil, attempt: attempt)
                do {
                    answers = try await onEveryShard(targets) { address in
                        try await self.shards.checkpoint(id.rawValue, atVersion: target, timeout: waitLimit, on: address)
                    }
                    break
                } catch let failure as RuntimeFailure where failure.code == .failedPrecondition && attempt < 5 {
                    continue  // a shard moved past the target between the status read and the request
                }
            }
        } else {
            try await onEveryShard(targets) { try await self.shards.pause(id.rawValue, paused: true, on: $0) }
            do {
                answers = try await onEveryShard(targets) { address in
                    try await self.shards.checkpoint(id.rawValue, atVersion: nil, timeout: .seconds(10), on: address)
                }
            } catch {
                _ = try? await onEveryShard(targets) { try await self.shards.pause(id.rawValue, paused: false, on: $0) }
                throw error
            }
            _ = try? await onEveryShard(targets) { try await self.shards.pause(id.rawValue, paused: false, on: $0) }
        }
        let manifest = CheckpointManifest(
            job: id.description, version: answers.map(\.version).max() ?? 0, mode: sync ? "sync" : "async", takenAt: Self.now(),
            reason: reason,
            shards: zip(targets, answers).map { target, answer in
                .init(node: names[target.0.nodeID] ?? target.0.address, address: target.0.address, version: answer.version,
                      path: answer.path, bytes: answer.bytes, crc32c: answer.crc32C)
            })
        let path = try manifests.write(manifest)
        _ = try await withState { try $0.recordCheckpoint(id, version: Int(manifest.version), path: path) }
        lastCheckpointAt.withLock { $0[id] = Self.now() }
        logger.info("checkpoint committed", metadata: [
            "job": "\(id)", "version": "\(manifest.version)", "reason": "\(reason)", "manifest": "\(path)",
            "bytes": "\(manifest.shards.reduce(0) { $0 + $1.bytes })",
        ])
        await pruneCheckpoints(id, keep: job.spec.training.checkpoint.keep)
        return (manifest, path)
    }

    /// The step a sync checkpoint is taken at: the next multiple of `every` (periodic); else the shards' common version
    /// when they are idle at one, or a few steps ahead of the fastest (more on each retry) so every shard can still stop there.
    static func checkpointTarget(versions: [UInt64], every: Int?, attempt: Int) -> UInt64 {
        let highest = versions.max() ?? 0
        if let every, every > 0 { return (highest / UInt64(every) + 1) * UInt64(every) }
        if attempt == 1, versions.min() == highest { return highest }
        return highest + (UInt64(4) << UInt64(min(attempt, 10)))
    }

    /// Keeps the newest `keep` manifests of a job and deletes the rest, with the shard files they alone name.
    func pruneCheckpoints(_ id: JobID, keep: Int) async {
        let all = manifests.list(job: id.description)
        let kept = all.prefix(keep).compactMap { try? $0.manifest.get() }
        for old in all.dropFirst(keep) { try? FileManager.default.removeItem(atPath: old.path) }
        var keepByAddress: [String: [UInt64]] = [:]
        for m in kept { for f in m.shards { keepByAddress[f.address, default: []].append(f.version) } }
        for (address, versions) in keepByAddress {
            guard let hp = try? HostPort(parsing: address) else { continue }
            await shards.prune(id.rawValue, keep: versions, on: hp)
        }
    }

    /// Restores a recovering job: re-creates its partitions on the shards that lost them, then loads the newest
    /// usable checkpoint (sync: on every shard, so the whole job is at one step; async: on the shards that lost
    /// the job). A corrupt or partial checkpoint is logged and the previous one used. Returns false when a shard
    /// does not answer yet (try again later).
    func recover(_ job: JobRecord) async -> Bool {
        guard let placement = job.placement else { return false }
        var missing: [ShardTarget] = []
        for shard in job.shards {
            guard let address = try? HostPort(parsing: shard.address), let status = await shards.status(of: address, timeout: .seconds(2)) else {
                return false
            }
            if !status.jobs.contains(where: { $0.jobNumber == job.id.rawValue }) { missing.append(shard) }
        }
        guard !missing.isEmpty else {
            _ = try? await withState { try $0.recovered(job.id, version: nil, now: Self.now()) }
            logger.notice("job's shards still hold it; nothing to restore", metadata: ["job": "\(job.id)"])
            return true
        }
        do {
            try await createOnShards(job: job, placement: placement)
        } catch {
            logger.error("could not re-create the job on its shards", metadata: ["job": "\(job.id)", "error": "\(error)"])
            return false
        }
        let sync = job.spec.training.mode == .sync
        let restoreOn = Set((sync ? job.shards : missing).map(\.address))
        for (path, entry) in manifests.list(job: job.id.description) {
            let manifest: CheckpointManifest
            switch entry {
            case .failure(let failure):
                logger.error("checkpoint unusable, trying the previous one", metadata: ["job": "\(job.id)", "manifest": "\(path)", "error": "\(failure.message)"])
                continue
            case .success(let m): manifest = m
            }
            do {
                let files = manifest.shards.filter { restoreOn.contains($0.address) }
                guard Set(files.map(\.address)) == restoreOn else {
                    throw RuntimeFailure(.dataLoss, "the manifest does not name every shard of the job's placement")
                }
                _ = try await onEveryShard(files.map { ($0, try HostPort(parsing: $0.address)) }) { file, address in
                    try await self.shards.restore(job.id.rawValue, path: file.path, crc32c: file.crc32c, on: address)
                }
                _ = try? await withState { try $0.recovered(job.id, version: Int(manifest.version), now: Self.now()) }
                logger.notice("job restored from checkpoint", metadata: ["job": "\(job.id)", "version": "\(manifest.version)", "manifest": "\(path)"])
                return true
            } catch {
                logger.error("checkpoint unusable, trying the previous one", metadata: ["job": "\(job.id)", "manifest": "\(path)", "error": "\(error)"])
            }
        }
        if let source = job.spec.initFrom {
            await initialise(job, from: source)
        }
        _ = try? await withState { try $0.recovered(job.id, version: nil, now: Self.now()) }
        logger.warning("no usable checkpoint: the job continues from its initial values", metadata: ["job": "\(job.id)"])
        return true
    }

    /// init_from: loads an exported model's values into every shard of the job (the file must be readable on the psd hosts).
    func initialise(_ job: JobRecord, from path: String) async {
        for shard in job.shards {
            guard let address = try? HostPort(parsing: shard.address) else { continue }
            do {
                try await shards.restore(job.id.rawValue, path: path, crc32c: 0, valuesOnly: true, on: address)
            } catch {
                logger.error("init_from failed", metadata: ["job": "\(job.id)", "path": "\(path)", "error": "\(error)"])
            }
        }
    }

    /// Whether a running job is due a periodic checkpoint, and why.
    func checkpointDue(_ job: JobRecord, now: Double) -> String? {
        let policy = job.spec.training.checkpoint
        let last = job.checkpoint?.version ?? 0
        let step = job.shardSample?.version ?? job.step
        // Sync checkpoints land on the next multiple of every_steps: ask half an interval ahead so it is not missed.
        if let every = policy.everySteps, step >= last + max(1, every / 2) { return "every_steps" }
        if let seconds = policy.everySeconds {
            let since = lastCheckpointAt.withLock { $0[job.id] } ?? job.startedAt ?? now
            if now - since >= seconds { return "every_seconds" }
        }
        return nil
    }

    /// One tick of the checkpoint scheduler: recover jobs that need it, start due checkpoints.
    func checkpointTick() async {
        let now = Self.now()
        let jobs = state.withLock { $0.activeJobs() }
        for job in jobs where job.state == .running && job.recovering != nil {
            _ = await recover(job)
        }
        for job in jobs where job.state == .running && job.recovering == nil && job.placement != nil {
            guard let reason = checkpointDue(job, now: now), !checkpointsInFlight.withLock({ $0.contains(job.id) }) else { continue }
            Task {
                do {
                    try await self.takeCheckpoint(job.id, reason: reason)
                } catch {
                    // Retry after a pause instead of at every tick.
                    self.lastCheckpointAt.withLock { $0[job.id] = Self.now() - max(0, (job.spec.training.checkpoint.everySeconds ?? 10) - 5) }
                    self.logger.warning("checkpoint failed", metadata: ["job": "\(job.id)", "reason": "\(reason)", "error": "\(error)"])
                }
            }
        }
    }

    /// Runs `body` on every target concurrently; answers in the targets' order; the first failure is thrown.
    func onEveryShard<T, R: Sendable>(_ targets: [(T, HostPort)], _ body: @escaping @Sendable (T, HostPort) async throws -> R) async throws -> [R] where T: Sendable {
        try await withThrowingTaskGroup(of: (Int, R).self) { group in
            for (i, (target, address)) in targets.enumerated() {
                group.addTask { (i, try await body(target, address)) }
            }
            var results = [R?](repeating: nil, count: targets.count)
            for try await (i, r) in group { results[i] = r }
            return results.map { $0! }
        }
    }

    /// Runs `body` on every shard address concurrently.
    @discardableResult
    func onEveryShard<T, R: Sendable>(_ targets: [(T, HostPort)], _ body: @escaping @Sendable (HostPort) async throws -> R) async throws -> [R] where T: Sendable {
        try await onEveryShard(targets) { (_: T, address: HostPort) in try await body(address) }
    }
}

/// Runs the checkpoint scheduler of the coordinator: recovery of restarted jobs and periodic checkpoints.
struct CheckpointScheduler: Sendable {
    let coordinator: CoordinatorService
    let interval: Duration

    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            await coordinator.checkpointTick()
        }
    }
}
