import DataPlane
import Foundation
import JobSpec
import Training

/// The worker's view of a job's data: its shard of the training split, the held-out split, and
/// evaluation over it. Every worker loads and splits the same way (same seed), so the held-out
/// split and the standardisation statistics agree across workers.
public struct WorkerData: Sendable {
    /// This worker's rows of the training split.
    public let train: Dataset
    /// The held-out split (a test file, or `test_fraction` of the data).
    public let test: Dataset?
    /// Input features per example.
    public let featureCount: Int
    /// Classes of a classification task (2 for binary).
    public let classes: Int
    /// The column layout of categorical CSV data (wide & deep), nil otherwise.
    public let layout: WideDeepConfig?
    /// How a raw example becomes a model row (from the whole training split, the same on every worker).
    public let preprocessing: Preprocessing
    /// Batches this worker runs per epoch; equal on every worker in sync mode so no worker waits
    /// for gradients that will never come.
    public let batchesPerEpoch: Int
    let batchSize: Int
    let shuffle: Bool
    let seed: UInt64
    let workerIndex: Int
    /// A stream job's reader of its files (nil for a fixed file): `train` and `test` then hold its first file only.
    public internal(set) var stream: StreamFeed? = nil

    /// Loads the job's data under `dataRoot` (paths confined to it) within `maxDataBytes` of decoded data;
    /// a job needing more fails with RESOURCE_EXHAUSTED naming both numbers.
    /// With `cache`, data decoded by an earlier task from the same unchanged files is reused (`DatasetCache`).
    /// A worker that never `evaluates` (not the chief) leaves IDX test files undecoded (`DataLoader.skipsHeldOut`):
    /// 31 MB of MNIST test images a workerd, which add up with many workers on a host.
    public static func load(spec: JobSpec, dataRoot: String, workerIndex: Int, workerCount: Int,
                     maxDataBytes: Int = DataBudget.defaultLimit, cache: DatasetCache? = nil, evaluates: Bool = true) throws -> WorkerData {
        if let stream = spec.data.stream {
            guard let data = try loadStream(stream, spec: spec, dataRoot: dataRoot, workerIndex: workerIndex, workerCount: workerCount, maxDataBytes: maxDataBytes) else {
                throw RuntimeFailure(.unavailable, "data.stream.dir \"\(stream.dir)\" holds no file matching \"\(stream.pattern)\" yet")
            }
            return data
        }
        let config = try DataConfig(spec: spec)
        let splits: DatasetSplits
        // IDX images are decoded for this worker's shard alone (DataLoader.decodesShardOnly): many workers on one host
        // then hold and decode 1/N of the split each, not all of it.
        let rows = try DataShard(index: workerIndex, of: workerCount)
        do {
            let heldOut = evaluates || !DataLoader.skipsHeldOut(config)
            let decode = {
                try DataLoader.load(config, dataRoot: URL(fileURLWithPath: dataRoot), budget: DataBudget(limit: maxDataBytes), shard: rows, heldOut: heldOut)
            }
            let cachedShard = DataLoader.decodesShardOnly(config) ? rows : nil
            splits = try cache.map {
                try $0.splits(config, dataRoot: dataRoot, maxDataBytes: maxDataBytes, shard: cachedShard, heldOut: heldOut, load: decode)
            } ?? decode()
        } catch let error as TrainingError where error.code == .resourceExhausted {
            throw RuntimeFailure(.resourceExhausted, error.message)
        }
        let shard = splits.trainShard == nil ? try splits.train.shard(workerIndex, of: workerCount) : splits.train
        guard shard.count > 0 else {
            throw RuntimeFailure(.failedPrecondition, "worker \(workerIndex) of \(workerCount) got no training rows (\(splits.trainRows) in all)")
        }
        let batch = spec.data.batchSize
        guard batch > 0 else { throw RuntimeFailure(.invalidArgument, "data.batch_size must be positive, got \(batch)") }
        let perEpoch =
            spec.training.mode == .sync
            ? max(1, (splits.trainRows / workerCount) / batch)
            : shard.count / batch + (shard.count % batch == 0 ? 0 : 1)
        return WorkerData(
            train: shard, test: splits.test, featureCount: splits.inputWidth, classes: max(2, splits.preprocessing.classes ?? 2),
            layout: splits.layout, preprocessing: splits.preprocessing,
            batchesPerEpoch: perEpoch, batchSize: batch, shuffle: spec.data.shuffle, seed: spec.training.seed,
            workerIndex: workerIndex)
    }

    /// The batches of one epoch, prepared one ahead on another thread.
    package func trainBatches(epoch: Int) throws -> EpochBatches {
        if let stream { return EpochBatches(stream: stream) }
        let iterator = try BatchIterator(
            dataset: train, batchSize: batchSize, shuffle: shuffle, seed: seed, epoch: epoch, worker: workerIndex)
        return EpochBatches(source: PrefetchingBatchIterator(iterator), limit: batchesPerEpoch)
    }

    /// The rows evaluations run on: a stream's window, else the held-out split, else the training shard.
    public func evaluationSet() throws -> Dataset {
        if let stream, let window = try stream.windowRows() { return window }
        return test ?? train
    }

    /// Loss, accuracy and (binary) AUC over `evaluationSet()`.
    public func evaluate(model: any Model, parameters: ParameterSet, backend: any ComputeBackend) throws -> TrainingFigures {
        let result = try Evaluator().evaluate(model: model, parameters: parameters, dataset: try evaluationSet(), backend: backend)
        return TrainingFigures(
            loss: Double(result.loss), accuracy: model.task == .regression ? nil : Double(result.accuracy), auc: result.auc.map(Double.init), count: result.count)
    }
}

/// At most `limit` batches of an epoch; wraps around the shard when it holds fewer. A stream is one endless epoch.
package struct EpochBatches {
    let source: PrefetchingBatchIterator?
    let stream: StreamFeed?
    let limit: Int
    private var taken = 0

    init(source: PrefetchingBatchIterator, limit: Int) {
        self.source = source
        self.stream = nil
        self.limit = limit
    }

    init(stream: StreamFeed) {
        self.source = nil
        self.stream = stream
        self.limit = .max
    }

    /// Whether the epoch's budget has batches left (the source may still end early; a stream: whether one is ready).
    package var hasMore: Bool {
        guard let stream else { return taken < limit }
        return (try? stream.hasBatchReady()) ?? false
    }

    /// The next batch; nil at the end of the epoch (a stream: while no batch is ready).
    package mutating func next() throws -> Batch? {
        if let stream { return try stream.nextBatch() }
        guard taken < limit, let batch = source?.next() else { return nil }
        taken += 1
        return batch
    }

    /// The next batch; a stream calls `waiting` until one is ready (it sleeps the poll interval and answers whether
    /// to stop), so nil means the end of the epoch or, for a stream, a stop.
    package mutating func next(waiting: () async throws -> Bool) async throws -> Batch? {
        guard let stream else { return try next() }
        while true {
            if let batch = try stream.nextBatch() { return batch }
            if try await waiting() { return nil }
        }
    }
}

/// Loss, accuracy and AUC over `count` examples: a window of training steps or an evaluation.
public struct TrainingFigures: Sendable, Equatable {
    /// Mean loss per example.
    public var loss: Double
    /// Share of examples classified right (nil for regression).
    public var accuracy: Double?
    /// Area under the ROC curve (binary classification evaluations only).
    public var auc: Double?
    /// Examples the figures cover.
    public var count: Int

    /// Figures over `count` examples.
    public init(loss: Double, accuracy: Double?, auc: Double? = nil, count: Int) {
        self.loss = loss
        self.accuracy = accuracy
        self.auc = auc
        self.count = count
    }
}
