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

    /// Writes the checkpoint; returns its path, size and the CRC32C of the whole file.
    func write(_ image: ShardCheckpoint) throws -> (path: String, bytes: Int, crc32c: UInt32) {
        let folder = directory(jobID: image.jobID)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var tensors: [SafetensorsWriter.Tensor] = []
        for p in image.partitions {
            let base = "\(p.name)@\(p.key.variableID).\(p.key.partition)"
            let shape = Shape(p.shape)
            tensors.append(.floats(base, shape: shape, values: p.values))
            for name in p.slots.keys.sorted() {
                tensors.append(.floats("\(base)#\(name)", shape: shape, values: p.slots[name] ?? []))
            }
            if let keys = p.rowKeys {
                tensors.append(SafetensorsWriter.Tensor(name: "\(base)#keys", dtype: .i64, shape: Shape([keys.count])) { destination in
                    keys.withUnsafeBytes { destination.copyMemory(from: $0) }
                })
            }
        }
        let target = path(jobID: image.jobID, version: image.version)
        let crc = try SafetensorsWriter.write(
            tensors, metadata: ["format": "tessera-shard-checkpoint-1", "job": String(image.jobID), "version": String(image.version)],
            to: target)
        let size = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
        return (target, size, crc)
    }

    /// Reads a checkpoint file of `jobID` from this psd's folder for the job (symbolic links and `..` resolved: nothing
    /// outside it is read), once and at most `limit` bytes, checking the whole file's CRC32C when `crc32c` is not 0.
    func read(path: String, jobID: UInt64, crc32c: UInt32, limit: Int) throws -> ShardCheckpoint {
        let folder = ConfinedFile.Root(name: "checkpoint folder of job \(jobID)", path: directory(jobID: jobID))
        let resolved = try ConfinedFile.resolve(path, in: [folder], for: "checkpoint")
        let data = try ConfinedFile.read(resolved, limit: limit, limitName: "psd --memory-limit", for: "checkpoint")
        if crc32c != 0 {
            let actual = data.withUnsafeBytes { CRC32C.checksum($0) }
            guard actual == crc32c else {
                throw RuntimeFailure(.dataLoss, "checkpoint file \(path) is corrupt: CRC32C \(String(format: "%08x", actual)), the manifest says \(String(format: "%08x", crc32c))")
            }
        }
        let reader: SafetensorsReader
        do { reader = try SafetensorsReader(data: data, name: path) } catch {
            throw RuntimeFailure(.dataLoss, "checkpoint file \(path) is unreadable: \(error)")
        }
        guard reader.metadata["format"] == "tessera-shard-checkpoint-1", reader.metadata["job"] == String(jobID),
            let version = reader.metadata["version"].flatMap(UInt64.init)
        else {
            throw RuntimeFailure(.dataLoss, "\(path) is not a Tessera checkpoint of job \(jobID)")
        }
        var partitions: [ShardCheckpoint.Partition] = []
        var byBase: [String: Int] = [:]
        for entry in reader.entries {
            let (base, suffix) = Self.split(entry.name)
            guard let at = base.lastIndex(of: "@") else { throw RuntimeFailure(.dataLoss, "\(path): tensor \(entry.name) has no partition key") }
            let ids = base[base.index(after: at)...].split(separator: ".")
            guard ids.count == 2, let v = UInt32(ids[0]), let part = UInt32(ids[1]) else {
                throw RuntimeFailure(.dataLoss, "\(path): tensor \(entry.name) has a malformed partition key")
            }
            if byBase[base] == nil {
                byBase[base] = partitions.count
                partitions.append(.init(
                    key: PartitionKey(variableID: v, partition: part), name: String(base[..<at]),
                    shape: entry.shape.dims.map { Int($0) }, values: [], slots: [:], rowKeys: nil))
            }
            let i = byBase[base]!
            do {
                switch suffix {
                case nil: partitions[i].values = try reader.floats(entry.name)
                case "keys"?:
                    guard entry.dtype == .i64 else { throw RuntimeFailure(.dataLoss, "row keys \(entry.name) are not i64") }
                    let raw = try reader.bytes(entry.name)
                    partitions[i].rowKeys = raw.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }
                case let slot?: partitions[i].slots[slot] = try reader.floats(entry.name)
                }
            } catch {
                throw RuntimeFailure(.dataLoss, "\(path): \(error)")
            }
        }
        return ShardCheckpoint(jobID: jobID, version: version, partitions: partitions)
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
