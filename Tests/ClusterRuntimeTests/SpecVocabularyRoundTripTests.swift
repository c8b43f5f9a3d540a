import ClusterAPI
import JobSpec
import ParameterStore
import SwiftProtobuf
import Testing
import Training

@testable import ClusterRuntime

/// Every word of the job spec's vocabulary (every case of every spec enum) travels spec → protobuf bytes → spec
/// and reaches the shard's and the worker's configuration as itself: no word falls back to a default on the way.
@Suite struct SpecVocabularyRoundTripTests {
    /// A small valid spec the cases modify.
    static func base() -> JobSpec {
        JobSpec(name: "vocabulary", model: ModelSpec(type: .linear), data: .synthetic(weights: [1, 2]), training: TrainingSpec(maxSteps: 10))
    }

    /// What a worker reads (GetTask's spec): the spec rendered, serialized, parsed and converted back.
    static func overTheWire(_ spec: JobSpec) throws -> JobSpec {
        try spec.validate()
        let bytes: [UInt8] = try spec.proto.serializedBytes()
        return try JobSpec(proto: Tessera_V1_JobSpec(serializedBytes: bytes))
    }

    /// What a shard reads (CreateJob's optimizer and training sections), as ParameterServerService converts them.
    static func shardConfig(_ spec: JobSpec) throws -> (OptimizerConfig, ConsistencyConfig) {
        let proto = try Tessera_V1_JobSpec(serializedBytes: try spec.proto.serializedBytes() as [UInt8])
        let optimizer = OptimizerConfig(spec: try OptimizerSpec(proto: proto.optimizer))
        let consistency = ConsistencyConfig(spec: try TrainingSpec(proto: proto.training))
        try optimizer.validate()
        try consistency.validate()
        return (optimizer, consistency)
    }

    /// The model config a worker builds for a built-in family (rows of 16 features, 3 classes unless the spec says).
    static func workerModel(_ spec: JobSpec) throws -> ModelConfig {
        let layout = WideDeepConfig(categorical: [CategoricalColumn(name: "c", buckets: 10)], numericCount: 1, wide: [], wideBuckets: 10)
        let config = try ModelBuilder.config(spec, inputWidth: spec.model.type == .wideDeep ? layout.inputWidth : 16, classes: 3, layout: layout)
        _ = try ModelFactory.makeModel(config)  // the worker can build it
        return config
    }

    @Test(arguments: OptimizerType.allCases)
    func optimizerType(_ type: OptimizerType) throws {
        var spec = Self.base()
        spec.optimizer.type = type
        #expect(try Self.overTheWire(spec).optimizer.type == type)
        let (optimizer, _) = try Self.shardConfig(spec)
        #expect(optimizer.kind == type)
        #expect(optimizer.slotNames.count == spec.optimizer.slotCount, "the budget counts the slots the shard keeps")
    }

    @Test(arguments: ScheduleType.allCases)
    func scheduleType(_ type: ScheduleType) throws {
        var spec = Self.base()
        spec.optimizer.schedule.type = type
        #expect(try Self.overTheWire(spec).optimizer.schedule.type == type)
        #expect(try Self.shardConfig(spec).0.schedule.type == type)
    }

    @Test(arguments: TrainingMode.allCases)
    func trainingMode(_ mode: TrainingMode) throws {
        var spec = Self.base()
        spec.training.mode = mode
        if mode == .sync { spec.training.replicasToAggregate = 2 }
        spec.cluster.workers = 2
        #expect(try Self.overTheWire(spec).training.mode == mode)
        #expect(try Self.shardConfig(spec).1.mode == mode)
    }

    @Test(arguments: ModelFamily.allCases)
    func modelFamily(_ family: ModelFamily) throws {
        var spec = Self.base()
        spec.model = ModelSpec(type: ModelType(family: family), hidden: ModelSpec.defaultHidden(for: ModelType(family: family)))
        switch family {
        case .cnn:
            spec.model.cnn = CNNSpec(filters: [2], kernelSize: 3, poolSize: 2, inputShape: [4, 4, 1])
            spec.data = .synthetic(weights: [Float](repeating: 1, count: 16))
        case .wideDeep:
            spec.model.wideDeep = WideDeepSpec(categorical: ["c"], numeric: ["n"])
            spec.data = DataSpec(format: .csv, train: "t.csv", label: "y")
        case .linear, .logistic, .softmax, .mlp:
            break
        }
        let back = try Self.overTheWire(spec)
        #expect(back.model.type == ModelType(family: family))
        #expect(back.model.type.family == family)
        #expect(try Self.workerModel(back).type == family)
    }

    @Test(arguments: Activation.allCases)
    func activation(_ activation: Activation) throws {
        var spec = Self.base()
        spec.model = ModelSpec(type: .mlp, hidden: [4], activation: activation)
        let back = try Self.overTheWire(spec)
        #expect(back.model.activation == activation)
        let config = try Self.workerModel(back)
        #expect(config.activation == activation)
        #expect(ActivationFunction(config.activation).rawValue == activation.rawValue, "the backend computes the named function")
    }

    @Test(arguments: DataFormat.allCases)
    func dataFormat(_ format: DataFormat) throws {
        var spec = Self.base()
        switch format {
        case .synthetic: break
        case .csv: spec.data = DataSpec(format: .csv, train: "t.csv", label: "y")
        case .idx: spec.data = DataSpec(format: .idx, train: "x.idx", trainLabels: "y.idx")
        case .libsvm: spec.data = DataSpec(format: .libsvm, train: "t.svm")
        case .tfrecord: spec.data = DataSpec(format: .tfrecord, train: "t.tfrecord", label: "label")
        }
        let back = try Self.overTheWire(spec)
        #expect(back.data.format == format)
        #expect(try DataConfig(spec: back).format == format)
    }

    @Test(arguments: Normalization.allCases)
    func normalization(_ normalization: Normalization) throws {
        var spec = Self.base()
        spec.data = DataSpec(format: .csv, train: "t.csv", label: "y", normalize: normalization)
        let back = try Self.overTheWire(spec)
        #expect(back.data.normalize == normalization)
        let config = try DataConfig(spec: back)
        #expect(config.normalize == normalization)
        #expect(config.effectiveNormalization == normalization)
    }

    @Test(arguments: DataTransport.allCases)
    func transport(_ transport: DataTransport) throws {
        var spec = Self.base()
        spec.cluster.transport = transport
        #expect(try Self.overTheWire(spec).cluster.transport == transport)
        #expect(try DataTransport(proto: spec.proto.cluster) == transport, "what clusterctl pull connects with")
    }

    @Test(arguments: StopMetric.allCases)
    func stopMetric(_ metric: StopMetric) throws {
        var spec = Self.base()
        spec.training.stopAt = StopAtSpec(metric: metric, value: 0.5)
        #expect(try Self.overTheWire(spec).training.stopAt == StopAtSpec(metric: metric, value: 0.5))
    }

    @Test func anUnknownWordIsRefusedNotReplaced() throws {
        var proto = Self.base().proto
        proto.optimizer.type = "adamw"
        #expect(throws: SpecError.self) { try JobSpec(proto: proto) }
        proto = Self.base().proto
        proto.model.activation = "gelu"
        #expect(throws: SpecError.self) { try JobSpec(proto: proto) }
        proto = Self.base().proto
        proto.cluster.transport = "udp"
        #expect(throws: SpecError.self) { try DataTransport(proto: proto.cluster) }
    }
}
