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
        if let source = job.spec.initFrom {
            await initialise(job, from: source)
        }
        return .initialValues
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
}
