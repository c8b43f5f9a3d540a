import Foundation
import ParameterStore
import TensorWire

/// A checkpoint file opened for a restore: the header is parsed and checked at once, each partition's arrays are
/// read from the file only when `partition(_:)` asks for it (so a restore holds one partition, never the file).
struct ShardCheckpointFileReader: ShardCheckpointReading {
    /// The job the file says it is of (checked against the job asked for).
    let jobID: UInt64
    /// The version in the file's metadata.
    let version: UInt64
    /// The file, for messages.
    let path: String
    private let file: CheckpointFileHandle
    private let groups: [Group]

    /// One partition's tensors in the file.
    private struct Group: Sendable {
        var key: PartitionKey
        var name: String
        var shape: [Int]
        var values: SafetensorsEntry?
        var slots: [(String, SafetensorsEntry)] = []
        var keys: SafetensorsEntry?
    }

    /// How many partitions the file holds.
    var partitionCount: Int { groups.count }

    /// Checks the header of an open checkpoint file (`file`) as a checkpoint of `jobID`.
    init(file reader: CheckpointFileHandle, path: String, jobID: UInt64) throws {
        guard reader.metadata["format"] == "tessera-shard-checkpoint-1", reader.metadata["job"] == String(jobID),
            let version = reader.metadata["version"].flatMap(UInt64.init)
        else {
            throw RuntimeFailure(.dataLoss, "\(path) is not a Tessera checkpoint of job \(jobID)")
        }
        var groups: [Group] = []
        var byBase: [String: Int] = [:]
        for entry in reader.entries {
            let (base, suffix) = ShardCheckpointFiles.split(entry.name)
            guard let at = base.lastIndex(of: "@") else { throw RuntimeFailure(.dataLoss, "\(path): tensor \(entry.name) has no partition key") }
            let ids = base[base.index(after: at)...].split(separator: ".")
            guard ids.count == 2, let v = UInt32(ids[0]), let part = UInt32(ids[1]) else {
                throw RuntimeFailure(.dataLoss, "\(path): tensor \(entry.name) has a malformed partition key")
            }
            if byBase[base] == nil {
                byBase[base] = groups.count
                // Every dimension was checked by the header parser (their product fits the file), so each fits an Int.
                groups.append(Group(key: PartitionKey(variableID: v, partition: part), name: String(base[..<at]), shape: entry.shape.dims.map { Int($0) }))
            }
            let i = byBase[base]!
            switch suffix {
            case nil: groups[i].values = entry
            case "keys"?:
                guard entry.dtype == .i64 else { throw RuntimeFailure(.dataLoss, "\(path): row keys \(entry.name) are not i64") }
                groups[i].keys = entry
            case let slot?: groups[i].slots.append((slot, entry))
            }
        }
        self.jobID = jobID
        self.version = version
        self.path = path
        self.file = reader
        self.groups = groups
    }

    /// Partition `index` read from the file (its values, slots and keys; a tensor the file lacks reads as empty, which
    /// the restore's checks refuse).
    func partition(_ index: Int) throws -> ShardCheckpoint.Partition {
        guard groups.indices.contains(index) else { throw RuntimeFailure(.dataLoss, "\(path) has no partition \(index)") }
        let g = groups[index]
        var p = ShardCheckpoint.Partition(key: g.key, name: g.name, shape: g.shape, values: [], slots: [:], rowKeys: nil)
        if let e = g.values { p.values = try file.floats(e) }
        for (slot, e) in g.slots { p.slots[slot] = try file.floats(e) }
        if let e = g.keys { p.rowKeys = try file.int64s(e) }
        return p
    }

    /// Every partition at once (tests and small files).
    func image() throws -> ShardCheckpoint {
        ShardCheckpoint(jobID: jobID, version: version, partitions: try (0..<partitionCount).map { try partition($0) })
    }
}
