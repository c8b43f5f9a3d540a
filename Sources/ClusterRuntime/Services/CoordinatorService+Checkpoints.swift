import ClusterAPI
import Coordinator
import Foundation
import GRPCCore

extension CoordinatorService {
    /// Takes a consistent checkpoint of a running job now (ABORTED while another one of it is being taken).
    public func checkpointJob(request: Tessera_V1_CheckpointJobRequest, context: ServerContext) async throws -> Tessera_V1_CheckpointJobResponse {
        let id = try parseJobID(request.id)
        let job = try readState { try $0.beginCheckpoint(id, reason: .requested) }
        let result = await attemptCheckpoint(job, reason: .requested)
        await checkpointFinished(id, reason: .requested, result)
        do {
            let (manifest, path) = try result.get()
            return .with {
                $0.version = manifest.version
                $0.manifest = path
                $0.files = Int32(clamping: manifest.shards.count)
                $0.bytes = manifest.shards.reduce(0) { $0 &+ $1.bytes }
            }
        } catch {
            throw RPCError(failure: error)
        }
    }

    /// Performs a `.checkpoint` action (the state machine marked it in flight) and reports how it went.
    func performCheckpoint(_ id: JobID, reason: CheckpointReason) async {
        let result: Result<(CheckpointManifest, String), any Error>
        if let job = machine.peek({ $0.job(id) }) {
            result = await attemptCheckpoint(job, reason: reason)
        } else {
            result = .failure(RuntimeFailure(.notFound, "no job \(id)"))
        }
        await checkpointFinished(id, reason: reason, result)
    }

    /// Checkpoints every running job, one after the other (a few seconds each at most): when the coordinator stops.
    func checkpointRunningJobs() async {
        let jobs = machine.peek { $0.activeJobs().filter { $0.state == .running && $0.recovering == nil && $0.placement != nil } }
        for job in jobs {
            do {
                let begun = try readState { try $0.beginCheckpoint(job.id, reason: .shutdown) }
                await checkpointFinished(job.id, reason: .shutdown, await attemptCheckpoint(begun, reason: .shutdown))
            } catch {
                logger.warning("checkpoint failed", metadata: ["job": "\(job.id)", "reason": "shutdown", "error": "\(error)"])
            }
        }
    }

    /// Hands a checkpoint's outcome to the state machine (which records a committed one and retries a failed periodic
    /// one later) and performs what follows: pruning old checkpoints, a final checkpoint that waited. Failures are
    /// logged here, except a requested one's (its caller gets the error).
    func checkpointFinished(_ id: JobID, reason: CheckpointReason, _ result: Result<(CheckpointManifest, String), any Error>) async {
        let outcome: CheckpointOutcome
        switch result {
        case .success(let (manifest, path)):
            outcome = .committed(version: Int(clamping: manifest.version), path: path)
        case .failure(let error):
            outcome = .failed("\(error)")
            if reason != .requested {
                logger.warning("checkpoint failed", metadata: ["job": "\(id)", "reason": "\(reason.rawValue)", "error": "\(error)"])
            }
        }
        let now = Self.now()
        await perform((try? await withState { $0.checkpointFinished(id, reason: reason, outcome: outcome, now: now) }) ?? [])
    }

    /// `takeCheckpoint` as a result.
    func attemptCheckpoint(_ job: JobRecord, reason: CheckpointReason) async -> Result<(CheckpointManifest, String), any Error> {
        do {
            return .success(try await takeCheckpoint(job, reason: reason))
        } catch {
            return .failure(error)
        }
    }

    /// Takes one consistent checkpoint of a job across its shards and commits its manifest: an ended job as it is,
    /// sync jobs at one step boundary (every shard copies itself at the same version), async jobs by pausing every
    /// shard's updates, copying, resuming. The state machine decided it may run now (one per job at a time).
    func takeCheckpoint(_ job: JobRecord, reason: CheckpointReason) async throws -> (CheckpointManifest, String) {
        let id = job.id
        let waitLimit: Duration = reason == .final ? .seconds(10) : reason == .shutdown ? .seconds(5) : .seconds(60)
        let targets = try job.shards.map { ($0, try HostPort(parsing: $0.address)) }
        let names = machine.peek { Self.nodeNames($0) }
        let sync = job.spec.training.mode == .sync
        var answers: [Tessera_V1_CheckpointShardResponse] = []
        if job.state != .running {
            // The job ended: no update is in flight any more, each shard's state is final.
            answers = try await onEveryShard(targets) { address in
                try await self.shards.checkpoint(id.rawValue, atVersion: nil, timeout: .seconds(10), on: address)
            }
        } else if sync {
            answers = try await checkpointSync(job, reason: reason, targets: targets, waitLimit: waitLimit)
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
            reason: reason.rawValue,
            shards: zip(targets, answers).map { target, answer in
                .init(node: names[target.0.nodeID] ?? target.0.address, address: target.0.address, version: answer.version,
                      path: answer.path, bytes: answer.bytes, crc32c: answer.crc32C)
            })
        let path = try manifests.write(manifest)
        logger.info("checkpoint committed", metadata: [
            "job": "\(id)", "version": "\(manifest.version)", "reason": "\(reason.rawValue)", "manifest": "\(path)",
            "bytes": "\(manifest.shards.reduce(0) { $0 &+ $1.bytes })",
        ])
        return (manifest, path)
    }

    /// A running sync job's checkpoint: every shard copies itself at the step `Coordinator.checkpointStep` names for
    /// the versions they hold now; asked again (up to 5 times) when a shard moved past it meanwhile.
    private func checkpointSync(
        _ job: JobRecord, reason: CheckpointReason, targets: [(ShardTarget, HostPort)], waitLimit: Duration
    ) async throws -> [Tessera_V1_CheckpointShardResponse] {
        let id = job.id
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
            guard let target = Coordinator.checkpointStep(for: job, reason: reason, versions: versions, attempt: attempt) else {
                throw RuntimeFailure(.outOfRange, "the shards of \(id) report versions up to \(versions.max() ?? 0): no step to checkpoint at")
            }
            do {
                return try await onEveryShard(targets) { address in
                    try await self.shards.checkpoint(id.rawValue, atVersion: target, timeout: waitLimit, on: address)
                }
            } catch let failure as RuntimeFailure where failure.code == .failedPrecondition && attempt < 5 {
                continue  // a shard moved past the target between the status read and the request
            }
        }
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
