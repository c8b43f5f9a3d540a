import ClusterAPI
import Foundation
import GRPCCore
import ParameterStore
import TensorWire

extension ParameterServerService {
    func checkpointFiles() throws -> ShardCheckpointFiles {
        guard let checkpoints else { throw RuntimeFailure(.failedPrecondition, "this psd has no data dir for checkpoints") }
        return checkpoints
    }

    /// Copies the job's state at a version (or now) and writes it to a file in the data dir.
    public func checkpointShard(request: Tessera_V1_CheckpointShardRequest, context: ServerContext) async throws -> Tessera_V1_CheckpointShardResponse {
        do {
            let files = try checkpointFiles()
            let timeout = Duration.milliseconds(Int64(min(max(request.timeoutMs, 1), 600_000)))
            // The rows are read from the job's memory in chunks while its pushes wait (ShardCheckpointSource).
            let source = try await shard.checkpointSource(
                jobID: request.jobNumber, atVersion: request.hasAtVersion ? request.atVersion : nil, timeout: timeout)
            let held = ContinuousClock.now
            let written = try await Task.detached {
                defer { source.release() }
                return try files.write(source)
            }.value
            let pause = ContinuousClock.now - held
            logger.info("checkpoint written", metadata: [
                "job": "job-\(request.jobNumber)", "version": "\(source.version)", "path": "\(written.path)", "bytes": "\(written.bytes)",
                "pushes_held_ms": "\(pause.components.seconds * 1000 + pause.components.attoseconds / 1_000_000_000_000_000)",
            ])
            return .with {
                $0.version = source.version
                $0.path = written.path
                $0.bytes = Int64(written.bytes)
                $0.crc32C = written.crc32c
            }
        } catch {
            throw RPCError(failure: error)
        }
    }

    /// Pauses or resumes the job's updates.
    public func pauseJob(request: Tessera_V1_PauseJobRequest, context: ServerContext) async throws -> Tessera_V1_PauseJobResponse {
        do {
            let limit = Duration.milliseconds(Int64(request.maxPauseMs == 0 ? 10_000 : min(request.maxPauseMs, 60_000)))
            try shard.setPaused(jobID: request.jobNumber, for: request.paused ? limit : nil)
            return .with { $0.version = (try? shard.version(jobID: request.jobNumber)) ?? 0 }
        } catch {
            throw RPCError(failure: error)
        }
    }

    /// Restores the job from one of this psd's checkpoint files, or loads an exported model's values.
    public func restoreShard(request: Tessera_V1_RestoreShardRequest, context: ServerContext) async throws -> Tessera_V1_RestoreShardResponse {
        do {
            let files = try checkpointFiles()
            _ = try shard.version(jobID: request.jobNumber)  // an unknown job reads no file
            let limit = fileLimit
            if request.valuesOnly {
                let service = self
                try await Task.detached { try service.loadValues(jobID: request.jobNumber, path: request.path) }.value
            } else {
                // init_from: job-N reads the other job's checkpoint (from that job's folder, tagged with its id).
                let owner = request.sourceJobNumber != 0 ? request.sourceJobNumber : request.jobNumber
                // The file is mapped and read one partition at a time into the job's rows.
                let shard = shard
                try await Task.detached {
                    let file = try files.read(path: request.path, jobID: owner, crc32c: request.crc32C, limit: limit)
                    do {
                        try shard.restore(jobID: request.jobNumber, reading: file)
                    } catch let error as StoreError {
                        if error.code == .resourceExhausted { RefusalMetrics.record(.memory) }
                        throw error
                    }
                }.value
            }
            return .with { $0.version = (try? shard.version(jobID: request.jobNumber)) ?? 0 }
        } catch {
            throw RPCError(failure: error)
        }
    }

    /// Deletes the job's checkpoint files except the versions to keep.
    public func pruneCheckpoints(request: Tessera_V1_PruneCheckpointsRequest, context: ServerContext) async throws -> Tessera_V1_PruneCheckpointsResponse {
        do {
            let deleted = try checkpointFiles().prune(jobID: request.jobNumber, keep: Set(request.keepVersions))
            return .with { $0.deleted = Int32(clamping: deleted) }
        } catch {
            throw RPCError(failure: error)
        }
    }

    /// init_from: every dense partition takes its rows of the tensor named like its variable in an exported model, read
    /// once from the import dir or the data dir (relative paths tried in that order) and at most the memory limit's bytes.
    func loadValues(jobID: UInt64, path: String) throws {
        let resolved = try ConfinedFile.resolve(path, in: modelRoots, for: "init_from:")
        let data = try ConfinedFile.read(resolved, limit: fileLimit, limitName: "psd --memory-limit", for: "init_from:")
        let reader: SafetensorsReader
        do { reader = try SafetensorsReader(data: data, name: path) } catch {
            throw RuntimeFailure(.invalidArgument, "init_from: \(error)")
        }
        let version = try shard.version(jobID: jobID)
        for p in try shard.partitions(jobID: jobID) {
            let name = p.variable.name
            guard !p.isSparse else {
                throw RuntimeFailure(.invalidArgument, "init_from: variable \(name) is an embedding; only dense variables load from an exported model")
            }
            guard let entry = reader.entry(name) else {
                throw RuntimeFailure(.notFound, "init_from: \(path) has no tensor \(name)")
            }
            guard entry.shape == p.variable.shape else {
                throw RuntimeFailure(.invalidArgument, "init_from: tensor \(name) in \(path) has shape \(entry.shape), the job's variable has \(p.variable.shape)")
            }
            // The shapes are equal and the partition validated: its rows lie inside the tensor.
            let start = p.rowOffset * p.rowWidth, count = p.elementCount
            let values: [Float]
            do { values = try reader.floats(name, elements: start..<(start + count)) } catch {
                throw RuntimeFailure(.invalidArgument, "init_from: \(error)")
            }
            try values.withUnsafeBufferPointer { try shard.load(jobID: jobID, key: p.key, values: $0, version: version) }
        }
        logger.info("initialised job from exported model", metadata: ["job": "job-\(jobID)", "path": "\(path)"])
    }
}
