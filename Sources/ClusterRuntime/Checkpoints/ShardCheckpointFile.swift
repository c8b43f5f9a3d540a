import Foundation
import ParameterStore
import TensorWire

/// A psd's checkpoint files: `<data-dir>/checkpoints/job-N/v<version>.safetensors`, one per job and
/// version, each holding every partition this psd has of the job — values as `NAME@VAR.PART`, optimizer
/// slots as `NAME@VAR.PART#SLOT`, embedding row keys as `NAME@VAR.PART#keys` (i64) — and the job and
/// version in the metadata. Written atomically (temporary name, fsync, rename, directory fsync).
struct ShardCheckpointFiles: Sendable {
    /// The psd's data dir.
    let dataDir: String

    /// The folder of one job's files.
    func directory(jobID: UInt64) -> String {
        (dataDir as NSString).appendingPathComponent("checkpoints/job-\(jobID)")
    }

    /// The file of one version.
    func path(jobID: UInt64, version: UInt64) -> String {
        (directory(jobID: jobID) as NSString).appendingPathComponent(String(format: "v%012llu.safetensors", version))
    }

    /// Writes the checkpoint read from the job's memory in chunks of at most `chunkBytes` (one buffer: the only extra
    /// memory a checkpoint takes); returns its path, size and the CRC32C of the whole file. Tensors are in the order
    /// and format loaders have always read: per partition values, slots by name, then keys.
    func write(_ source: ShardCheckpointSource, chunkBytes: Int = 8 << 20) throws -> (path: String, bytes: Int, crc32c: UInt32) {
        let folder = directory(jobID: source.jobID)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var tensors: [(name: String, dtype: DType, shape: Shape)] = []
        var parts: [(partition: Int, part: ShardCheckpointSource.Part, bytes: Int)] = []
        for (i, p) in source.partitions.enumerated() {
            let base = "\(p.name)@\(p.key.variableID).\(p.key.partition)"
            let shape = Shape(p.shape)
            tensors.append((base, .f32, shape))
            parts.append((i, .values, p.byteCount(.values)))
            for (k, name) in p.slotNames.enumerated().sorted(by: { $0.element < $1.element }) {
                tensors.append(("\(base)#\(name)", .f32, shape))
                parts.append((i, .slot(k), p.byteCount(.slot(k))))
            }
            if p.hasKeys {
                tensors.append(("\(base)#keys", .i64, Shape([p.shape[0]])))
                parts.append((i, .keys, p.byteCount(.keys)))
            }
        }
        let target = path(jobID: source.jobID, version: source.version)
        let writer = try SafetensorsStreamWriter(
            tensors: tensors, metadata: ["format": "tessera-shard-checkpoint-1", "job": String(source.jobID), "version": String(source.version)],
            to: target)
        let chunk = max(64, min(chunkBytes, Self.maxChunkBytes))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
        defer { buffer.deallocate() }
        for (entry, step) in zip(writer.entries, parts) {
            guard entry.range.count == step.bytes else {
                throw RuntimeFailure(.internalError, "checkpoint of job \(source.jobID): tensor \(entry.name) is \(step.bytes) bytes, its header says \(entry.range.count)")
            }
            var offset = 0
            while offset < step.bytes {
                let n = min(chunk, step.bytes - offset)
                let region = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n])
                try source.read(partition: step.partition, step.part, offset: offset, into: region)
                try writer.append(UnsafeRawBufferPointer(region))
                offset += n
            }
        }
        let crc = try writer.finish()
        let size = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
        return (target, size, crc)
    }

    /// The largest chunk a checkpoint write copies at once.
    static let maxChunkBytes = 64 << 20

    /// Opens a checkpoint file of `jobID` from this psd's folder for the job (symbolic links and `..` resolved: nothing
    /// outside it is read), at most `limit` bytes, checking the whole file's CRC32C when `crc32c` is not 0. The file is
    /// read by ranges, never whole: a restore reads it one partition at a time.
    func read(path: String, jobID: UInt64, crc32c: UInt32, limit: Int) throws -> ShardCheckpointFileReader {
        let folder = ConfinedFile.Root(name: "checkpoint folder of job \(jobID)", path: directory(jobID: jobID))
        let resolved = try ConfinedFile.resolve(path, in: [folder], for: "checkpoint")
        let file = try CheckpointFileHandle(resolved, name: path, limit: limit, limitName: "psd --memory-limit")
        if crc32c != 0 {
            let actual = try file.checksum()
            guard actual == crc32c else {
                throw RuntimeFailure(.dataLoss, "checkpoint file \(path) is corrupt: CRC32C \(String(format: "%08x", actual)), the manifest says \(String(format: "%08x", crc32c))")
            }
        }
        return try ShardCheckpointFileReader(file: file, path: path, jobID: jobID)
    }

    /// Deletes the job's files except `keep` versions; returns how many were deleted.
    func prune(jobID: UInt64, keep: Set<UInt64>) -> Int {
        let folder = directory(jobID: jobID)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return 0 }
        var deleted = 0
        for name in names where name.hasPrefix("v") {
            let digits = name.dropFirst().prefix { $0.isNumber }
            guard let version = UInt64(digits), !keep.contains(version) || name.contains(".tmp-") else { continue }
            if (try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))) != nil { deleted += 1 }
        }
        return deleted
    }

    /// Splits "NAME@V.P#SLOT" into ("NAME@V.P", "SLOT").
    static func split(_ name: String) -> (String, String?) {
        guard let hash = name.lastIndex(of: "#") else { return (name, nil) }
        return (String(name[..<hash]), String(name[name.index(after: hash)...]))
    }
}
