import Foundation
import Synchronization
import Training

/// The last training data a worker decoded, kept for the next task that reads the same files the same way — the
/// trials of a study, a job submitted again: decoding MNIST or a large CSV is most of a short task's start. One entry:
/// a task reading other data drops it before loading (so at most one decoded dataset stays besides the task's). Keyed
/// by the data section (its batch size aside: batching happens after loading) and each file's size and modification
/// time, so a file replaced or edited since is decoded again. Streams are never cached.
public final class DatasetCache: Sendable {
    struct FileStamp: Hashable {
        var path: String
        var size: UInt64
        var modified: Double
    }

    struct Key: Hashable {
        var config: DataConfig
        var dataRoot: String
        var maxDataBytes: Int
        var files: [FileStamp]
        /// The shard decoded alone (`DataLoader.decodesShardOnly`); nil: the whole split.
        var shard: DataShard?
        /// Whether the held-out split was decoded (a worker that never evaluates leaves IDX test files out).
        var heldOut = true
    }

    private let entry = Mutex<(key: Key, splits: DatasetSplits)?>(nil)
    private let hitCount = Mutex(0)

    /// An empty cache.
    public init() {}

    /// Tasks whose data came from the cache (not decoded again).
    public var hits: Int { hitCount.withLock { $0 } }

    /// The splits `config` describes (of `shard` alone when `load` decodes only it): the cached ones when the same files
    /// are unchanged, else `load()`'s (then kept). A file that cannot be stat'ed is loaded without caching (the loader
    /// reports the problem).
    func splits(_ config: DataConfig, dataRoot: String, maxDataBytes: Int, shard: DataShard? = nil, heldOut: Bool = true,
                load: () throws -> DatasetSplits) throws -> DatasetSplits {
        guard var key = Self.key(config, dataRoot: dataRoot, maxDataBytes: maxDataBytes) else { return try load() }
        key.shard = shard
        key.heldOut = heldOut
        if let cached = entry.withLock({ $0?.key == key ? $0?.splits : nil }) {
            hitCount.withLock { $0 += 1 }
            return cached
        }
        entry.withLock { $0 = nil }  // drop the other dataset before decoding this one
        let splits = try load()
        entry.withLock { $0 = (key, splits) }
        return splits
    }

    /// Forgets the kept dataset.
    public func clear() { entry.withLock { $0 = nil } }

    static func key(_ config: DataConfig, dataRoot: String, maxDataBytes: Int) -> Key? {
        var normalized = config
        normalized.batchSize = 0
        var stamps: [FileStamp] = []
        for path in [config.train, config.trainLabels, config.test, config.testLabels].compactMap({ $0 }) {
            let full = (dataRoot as NSString).appendingPathComponent(path)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: full),
                let size = (attributes[.size] as? NSNumber)?.uint64Value,
                let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970
            else { return nil }
            stamps.append(FileStamp(path: path, size: size, modified: modified))
        }
        return Key(config: normalized, dataRoot: dataRoot, maxDataBytes: maxDataBytes, files: stamps, shard: nil)
    }
}
