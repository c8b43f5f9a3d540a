import Foundation
import TensorWire

/// The commit record of one consistent checkpoint of a job, written by the coordinator after every shard
/// wrote its file: `<coordinator data dir>/jobs/job-N/checkpoints/ckpt-<version>.json`. A checkpoint
/// exists once its manifest does; the manifest names each shard file with its size and CRC32C.
struct CheckpointManifest: Codable, Sendable, Equatable {
    /// One shard's file.
    struct ShardFile: Codable, Sendable, Equatable {
        /// The psd's node name.
        var node: String
        /// The psd's control address.
        var address: String
        /// The shard's version in this checkpoint.
        var version: UInt64
        /// The file on the psd's host.
        var path: String
        /// Its size.
        var bytes: Int64
        /// CRC32C of the whole file.
        var crc32c: UInt32
    }

    /// "tessera-checkpoint-1".
    var format = "tessera-checkpoint-1"
    /// The job.
    var job: String
    /// The job's version (step) of the checkpoint (sync: every shard's; async: the highest).
    var version: UInt64
    /// "sync" or "async".
    var mode: String
    /// Unix seconds when it was committed.
    var takenAt: Double
    /// Why it was taken: "every_steps", "every_seconds", "requested", "final".
    var reason: String
    /// One entry per shard of the job's placement.
    var shards: [ShardFile]

    enum CodingKeys: String, CodingKey {
        case format, job, version, mode, reason, shards
        case takenAt = "taken_at"
    }
}

/// Reads and writes a job's manifests in the coordinator's data dir: `jobs/` is owner-only (0700), manifests 0600.
struct CheckpointManifests: Sendable {
    /// The coordinator's data dir.
    let dataDir: String

    /// The folder of every job's files (manifests, TensorBoard event files).
    var root: String { (dataDir as NSString).appendingPathComponent("jobs") }

    /// Creates `jobs/` owner-only (0700), or takes group/world access away from an existing one.
    func prepareRoot() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard chmod(root, 0o700) == 0 else {
            throw RuntimeFailure(.internalError, "cannot make \(root) owner-only (0700): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes a job's folder (manifests and event files); a missing folder is fine.
    func removeJob(_ job: String) {
        try? FileManager.default.removeItem(atPath: (root as NSString).appendingPathComponent(job))
    }

    /// The folder of one job's manifests.
    func directory(job: String) -> String {
        (dataDir as NSString).appendingPathComponent("jobs/\(job)/checkpoints")
    }

    /// Writes a manifest atomically (temporary name, fsync, rename, directory fsync); returns its path.
    func write(_ manifest: CheckpointManifest) throws -> String {
        let folder = directory(job: manifest.job)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(manifest)
        let path = (folder as NSString).appendingPathComponent(String(format: "ckpt-%012llu.json", manifest.version))
        try DurableFile.write(data, to: path)
        return path
    }

    /// The job's manifests, newest first; unreadable ones are returned as failures (so callers can log and skip them).
    func list(job: String) -> [(path: String, manifest: Result<CheckpointManifest, RuntimeFailure>)] {
        let folder = directory(job: job)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("ckpt-") && $0.hasSuffix(".json") }.sorted(by: >)
        return names.map { name in
            let path = (folder as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                return (path, .failure(RuntimeFailure(.dataLoss, "checkpoint manifest \(path) is unreadable")))
            }
            do {
                let manifest = try JSONDecoder().decode(CheckpointManifest.self, from: data)
                guard manifest.format == "tessera-checkpoint-1", manifest.job == job else {
                    return (path, .failure(RuntimeFailure(.dataLoss, "\(path) is not a checkpoint manifest of \(job)")))
                }
                return (path, .success(manifest))
            } catch {
                return (path, .failure(RuntimeFailure(.dataLoss, "checkpoint manifest \(path) is corrupt: \(error)")))
            }
        }
    }
}

/// Crash-safe whole-file writes.
enum DurableFile {
    /// Writes `data` to a temporary file beside `path` (owner-only, 0600, unless `mode` says otherwise), fsyncs it,
    /// renames it over `path` and fsyncs the directory.
    static func write(_ data: Data, to path: String, mode: mode_t = 0o600) throws {
        let temporary = "\(path).tmp-\(getpid())"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw RuntimeFailure(.internalError, "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let ok = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw RuntimeFailure(.internalError, "cannot write \(path): \(reason)")
        }
        let dir = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }
}
