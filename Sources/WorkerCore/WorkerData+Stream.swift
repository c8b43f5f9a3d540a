import DataPlane
import Foundation
import JobSpec
import Training

extension WorkerData {
    /// A stream job's data once its first file exists (nil before): the first file fixes the columns, classes and
    /// statistics (the preprocessing the chief declares and serving applies); `stream` then reads every file, the first
    /// one included, as it appears.
    public static func loadStream(
        _ stream: StreamSpec, spec: JobSpec, dataRoot: String, workerIndex: Int, workerCount: Int, maxDataBytes: Int = DataBudget.defaultLimit,
        onSkip: @escaping StreamFeed.SkipHandler = { _, _ in }
    ) throws -> WorkerData? {
        let root = URL(fileURLWithPath: dataRoot)
        let directory = try StreamDirectory(dir: stream.dir, pattern: stream.pattern, dataRoot: root)
        guard let first = try directory.list(after: nil).first else { return nil }
        var config = try DataConfig(spec: spec)
        config.train = directory.path(of: first)
        config.testFraction = 0
        let splits: DatasetSplits
        do {
            splits = try DataLoader.load(config, dataRoot: root, budget: DataBudget(limit: maxDataBytes))
        } catch let error as TrainingError where error.code == .resourceExhausted {
            throw RuntimeFailure(.resourceExhausted, error.message)
        }
        let classCount = splits.train.classCount
        let classes = spec.model.type == .linear || classCount == nil ? nil : (spec.model.classes ?? max(2, classCount ?? 2))
        let schema = StreamSchema(
            featureNames: splits.train.featureNames, classNames: splits.train.classNames, classes: classes, standardization: splits.standardization)
        // Every file is read as the first one was, without scaling: the schema applies the first file's statistics.
        var unscaled = config
        unscaled.normalize = Normalization.none
        unscaled.featureCount = splits.train.width
        let raw = unscaled
        let feed = try StreamFeed(
            schema: schema, workerIndex: workerIndex, workerCount: workerCount, batchSize: spec.data.batchSize,
            testFraction: spec.data.testFraction, shuffle: spec.data.shuffle, seed: spec.training.seed, windowRows: stream.evalWindow,
            list: { try directory.list(after: $0) },
            read: { name in
                var file = raw
                file.train = directory.path(of: name)
                return try DataLoader.load(file, dataRoot: root, budget: DataBudget(limit: maxDataBytes)).train
            },
            onSkip: onSkip)
        var data = WorkerData(
            train: splits.train, test: nil, featureCount: splits.inputWidth, classes: max(2, classCount ?? 2),
            layout: splits.layout, preprocessing: splits.preprocessing,
            batchesPerEpoch: Int.max, batchSize: spec.data.batchSize, shuffle: spec.data.shuffle, seed: spec.training.seed,
            workerIndex: workerIndex)
        data.stream = feed
        return data
    }
}
