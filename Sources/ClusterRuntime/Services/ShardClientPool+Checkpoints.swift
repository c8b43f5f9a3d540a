import ClusterAPI
import GRPCCore

extension ShardClientPool {
    /// Has one shard copy the job at `version` (or now) and write it; answers with the file.
    func checkpoint(_ jobNumber: UInt64, atVersion version: UInt64?, timeout: Duration, on address: HostPort) async throws -> Tessera_V1_CheckpointShardResponse {
        do {
            let request = Tessera_V1_CheckpointShardRequest.with {
                $0.jobNumber = jobNumber
                if let version { $0.atVersion = version }
                $0.timeoutMs = Self.milliseconds(timeout)
            }
            return try await stub(address).checkpointShard(request, options: callOptions(timeout: timeout + .seconds(30)))
        } catch let error as RPCError {
            throw RuntimeFailure(error: error, peer: address, doing: "checkpoint job-\(jobNumber)")
        }
    }

    /// Pauses (bounded by `limit`) or resumes the job's updates on one shard.
    func pause(_ jobNumber: UInt64, paused: Bool, limit: Duration = .seconds(10), on address: HostPort) async throws {
        do {
            let request = Tessera_V1_PauseJobRequest.with {
                $0.jobNumber = jobNumber
                $0.paused = paused
                $0.maxPauseMs = Self.milliseconds(limit)
            }
            _ = try await stub(address).pauseJob(request, options: callOptions(timeout: .seconds(10)))
        } catch let error as RPCError {
            throw RuntimeFailure(error: error, peer: address, doing: paused ? "pause job-\(jobNumber)" : "resume job-\(jobNumber)")
        }
    }

    /// Restores the job on one shard from a checkpoint file there (or loads an exported model's values).
    @discardableResult
    func restore(
        _ jobNumber: UInt64, path: String, crc32c: UInt32, valuesOnly: Bool = false, sourceJob: UInt64 = 0, on address: HostPort
    ) async throws -> UInt64 {
        do {
            let request = Tessera_V1_RestoreShardRequest.with {
                $0.sourceJobNumber = sourceJob
                $0.jobNumber = jobNumber
                $0.path = path
                $0.crc32C = crc32c
                $0.valuesOnly = valuesOnly
            }
            return try await stub(address).restoreShard(request, options: callOptions(timeout: .seconds(120))).version
        } catch let error as RPCError {
            throw RuntimeFailure(error: error, peer: address, doing: "restore job-\(jobNumber) from \(path)")
        }
    }

    /// Deletes the job's checkpoint files on one shard except `keep` (logged, not thrown: pruning is best effort).
    func prune(_ jobNumber: UInt64, keep: [UInt64], on address: HostPort) async {
        do {
            let request = Tessera_V1_PruneCheckpointsRequest.with {
                $0.jobNumber = jobNumber
                $0.keepVersions = keep
            }
            _ = try await stub(address).pruneCheckpoints(request, options: callOptions(timeout: .seconds(30)))
        } catch {
            logger.warning("could not prune checkpoints", metadata: ["job": "job-\(jobNumber)", "shard": "\(address)", "error": "\(error)"])
        }
    }

    /// Whole milliseconds of a duration for a request field (at most UInt32.max, never trapping).
    static func milliseconds(_ duration: Duration) -> UInt32 {
        let (milliseconds, overflow) = duration.components.seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? .max : UInt32(clamping: milliseconds)
    }
}
