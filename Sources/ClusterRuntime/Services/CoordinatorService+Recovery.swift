import ClusterAPI
import Coordinator

extension CoordinatorService {
    /// Performs a `.recover` action and reports how it went (nil: try again on a later tick).
    func performRecovery(_ id: JobID) async {
        let outcome: RecoveryOutcome? = if let job = machine.peek({ $0.job(id) }) { await recover(job) } else { nil }
        let now = Self.now()
        _ = try? await withState { try $0.recoveryFinished(id, outcome, now: now) }
    }

    /// Restores a recovering job: re-creates its partitions on the shards that lost them, then loads the newest
    /// usable checkpoint (sync: on every shard, so the whole job is at one step; async: on the shards that lost
    /// the job). A corrupt or partial checkpoint is logged and the previous one used. Returns nil when a shard
    /// does not answer yet (try again later).
    func recover(_ job: JobRecord) async -> RecoveryOutcome? {
        guard let placement = job.placement else { return nil }
        var missing: [ShardTarget] = []
        for shard in job.shards {
            guard let address = try? HostPort(parsing: shard.address), let status = await shards.status(of: address, timeout: .seconds(2)) else {
                return nil
            }
            if !status.jobs.contains(where: { $0.jobNumber == job.id.rawValue }) { missing.append(shard) }
        }
        guard !missing.isEmpty else { return .shardsIntact }
        do {
            try await createOnShards(job: job, placement: placement)
        } catch {
            logger.error("could not re-create the job on its shards", metadata: ["job": "\(job.id)", "error": "\(error)"])
            return nil
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
                return .checkpoint(version: Int(clamping: manifest.version), manifest: path)
            } catch {
                logger.error("checkpoint unusable, trying the previous one", metadata: ["job": "\(job.id)", "manifest": "\(path)", "error": "\(error)"])
            }
        }
        if job.spec.initFrom != nil {
            do { try await initialise(job) } catch {
                logger.error("init_from failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
            }
        }
        return .initialValues
    }

    /// init_from: loads the job's starting values into every shard — an exported model's values (the file must be
    /// readable on the psd hosts), or another job's newest usable checkpoint (`init_from: job-N`: values, optimizer
    /// slots and embedding rows, on the shards that wrote it; the job's step continues from that checkpoint's).
    func initialise(_ job: JobRecord) async throws {
        if let source = job.initSource {
            try await initialise(job, fromCheckpointOf: source)
            return
        }
        guard let path = job.spec.initFrom else { return }
        for shard in job.shards {
            let address = try HostPort(parsing: shard.address)
            try await shards.restore(job.id.rawValue, path: path, crc32c: 0, valuesOnly: true, on: address)
        }
    }

    private func initialise(_ job: JobRecord, fromCheckpointOf source: JobID) async throws {
        var problems: [String] = []
        for (path, entry) in manifests.list(job: source.description) {
            do {
                let manifest = try entry.get()
                let files = Dictionary(manifest.shards.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
                let targets = try job.shards.map { shard throws -> (CheckpointManifest.ShardFile, HostPort) in
                    guard let file = files[shard.address] else {
                        throw RuntimeFailure(.dataLoss, "\(path) names no file for shard \(shard.address)")
                    }
                    return (file, try HostPort(parsing: shard.address))
                }
                _ = try await onEveryShard(targets) { file, address in
                    try await self.shards.restore(job.id.rawValue, path: file.path, crc32c: file.crc32c, sourceJob: source.rawValue, on: address)
                }
                logger.info("job initialised from another job's checkpoint", metadata: [
                    "job": "\(job.id)", "source": "\(source)", "version": "\(manifest.version)", "manifest": "\(path)",
                ])
                return
            } catch {
                problems.append("\(path): \((error as? RuntimeFailure)?.message ?? "\(error)")")
            }
        }
        throw RuntimeFailure(.failedPrecondition, "no usable checkpoint of \(source) to start from\(problems.isEmpty ? "" : ": " + problems.joined(separator: "; "))")
    }
}
