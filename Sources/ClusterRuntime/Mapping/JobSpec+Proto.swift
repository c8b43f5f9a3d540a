import ClusterAPI
import JobSpec

/// Conversions between the job spec (the JobSpec module) and its protobuf form; an unknown word is a `SpecError`.
///
/// Rendering never traps: 32-bit fields go through `JobSpecLimits.int32`, exact for every value a valid spec holds
/// (every such bound is below 2^31), clamped for a spec stored before its bound existed. A valid spec renders to a
/// proto that reads back to the same spec (fuzz-jobspec checks it), except that an empty `model.hidden` of a
/// cnn or wide_deep model reads back as the family's default (protobuf cannot tell an empty list from none).
extension JobSpec {
    /// The protobuf form, with every field set explicitly.
    public var proto: Tessera_V1_JobSpec {
        .with {
            $0.name = name
            $0.model = model.proto
            $0.data = data.proto
            $0.optimizer = optimizer.proto
            $0.training = training.proto
            $0.cluster = .with {
                $0.workers = JobSpecLimits.int32(cluster.workers)
                if let shards = cluster.psShards { $0.psShards = JobSpecLimits.int32(shards) }
                $0.transport = cluster.transport.rawValue
            }
            $0.initFrom = initFrom ?? ""
            if let serving {
                $0.serving = .with {
                    $0.replicas = JobSpecLimits.int32(serving.replicas)
                    $0.refreshMs = JobSpecLimits.int32(serving.refreshMs)
                }
            }
        }
    }

    /// Builds a spec from its protobuf form, filling unset fields with the documented defaults,
    /// then validates it through the same rules as YAML specs (by rendering and re-parsing).
    public init(proto: Tessera_V1_JobSpec) throws {
        var spec = JobSpec(name: proto.name, model: try ModelSpec(proto: proto.model), data: try DataSpec(proto: proto.data))
        spec.optimizer = try OptimizerSpec(proto: proto.optimizer)
        spec.training = try TrainingSpec(proto: proto.training, streamed: proto.data.hasStream)
        if !proto.initFrom.isEmpty { spec.initFrom = proto.initFrom }  // checked (suffix, "..", NUL) by the parse below
        if proto.hasServing {  // bounds checked by the parse below
            spec.serving = ServingSpec(
                replicas: proto.serving.hasReplicas ? Int(proto.serving.replicas) : ServingSpec.defaultReplicas,
                refreshMs: proto.serving.hasRefreshMs ? Int(proto.serving.refreshMs) : ServingSpec.defaultRefreshMs)
        }
        if proto.hasCluster {
            if proto.cluster.hasWorkers { spec.cluster.workers = Int(proto.cluster.workers) }
            if proto.cluster.hasPsShards { spec.cluster.psShards = Int(proto.cluster.psShards) }
            spec.cluster.transport = try DataTransport(proto: proto.cluster)
        }
        self = try JobSpecParser.parse(yaml: spec.yaml)
    }
}

extension DataTransport {
    /// The transport a protobuf cluster section names; the default (native) when it names none.
    init(proto: Tessera_V1_ClusterShape) throws(SpecError) {
        guard proto.hasTransport else {
            self = ClusterSpec().transport
            return
        }
        self = try DataTransport.named(proto.transport, at: "cluster.transport")
    }
}

extension ModelSpec {
    var proto: Tessera_V1_ModelSpec {
        .with {
            $0.type = type.rawValue
            $0.hidden = hidden.map(JobSpecLimits.int32)
            $0.activation = activation.rawValue
            $0.dropout = dropout
            if let classes { $0.classes = JobSpecLimits.int32(classes) }
            if let cnn {
                $0.cnn = .with {
                    $0.filters = cnn.filters.map(JobSpecLimits.int32)
                    $0.kernelSize = JobSpecLimits.int32(cnn.kernelSize)
                    $0.poolSize = JobSpecLimits.int32(cnn.poolSize)
                    $0.inputShape = (cnn.inputShape ?? []).map(JobSpecLimits.int32)
                }
            }
            if let wideDeep {
                $0.wideDeep = .with {
                    $0.embeddingDim = JobSpecLimits.int32(wideDeep.embeddingDim)
                    $0.categorical = wideDeep.categorical
                    $0.numeric = wideDeep.numeric
                    $0.wide = wideDeep.wide
                    $0.vocabularyHint = Int64(wideDeep.vocabularyHint)
                }
            }
        }
    }

    init(proto: Tessera_V1_ModelSpec) throws {
        guard let type = ModelType(rawValue: proto.type) else {
            throw SpecError(JobSpecParser.unusableModelType(proto.type), path: "model.type")
        }
        self.init(type: type, hidden: proto.hidden.isEmpty ? ModelSpec.defaultHidden(for: type) : proto.hidden.map { Int($0) })
        if proto.hasActivation {
            activation = try Activation.named(proto.activation, at: "model.activation")
        }
        if proto.hasDropout { dropout = proto.dropout }
        if proto.hasClasses { classes = Int(proto.classes) }
        if proto.hasCnn {
            var cnn = CNNSpec()
            if !proto.cnn.filters.isEmpty { cnn.filters = proto.cnn.filters.map { Int($0) } }
            if proto.cnn.hasKernelSize { cnn.kernelSize = Int(proto.cnn.kernelSize) }
            if proto.cnn.hasPoolSize { cnn.poolSize = Int(proto.cnn.poolSize) }
            if !proto.cnn.inputShape.isEmpty { cnn.inputShape = proto.cnn.inputShape.map { Int($0) } }
            self.cnn = cnn
        }
        if proto.hasWideDeep {
            var wd = WideDeepSpec(categorical: proto.wideDeep.categorical, numeric: proto.wideDeep.numeric, wide: proto.wideDeep.wide)
            if proto.wideDeep.hasEmbeddingDim { wd.embeddingDim = Int(proto.wideDeep.embeddingDim) }
            if proto.wideDeep.hasVocabularyHint { wd.vocabularyHint = Int(proto.wideDeep.vocabularyHint) }
            wideDeep = wd
        }
    }
}

extension DataSpec {
    var proto: Tessera_V1_DataSpec {
        .with {
            $0.format = format.rawValue
            $0.train = train ?? ""
            $0.trainLabels = trainLabels ?? ""
            $0.test = test ?? ""
            $0.testLabels = testLabels ?? ""
            $0.label = label ?? ""
            $0.testFraction = testFraction
            $0.normalize = normalize.rawValue
            $0.batchSize = JobSpecLimits.int32(batchSize)
            $0.shuffle = shuffle
            if let features { $0.features = JobSpecLimits.int32(features) }
            if let samples { $0.samples = Int64(samples) }
            $0.weights = weights ?? []
            if let bias { $0.bias = bias }
            if let noise { $0.noise = noise }
            if let xMin { $0.xMin = xMin }
            if let xMax { $0.xMax = xMax }
            if let stream {
                $0.stream = .with {
                    $0.dir = stream.dir
                    $0.pattern = stream.pattern
                    $0.pollMs = JobSpecLimits.int32(stream.pollMs)
                    $0.evalWindow = JobSpecLimits.int32(stream.evalWindow)
                }
            }
        }
    }

    init(proto: Tessera_V1_DataSpec) throws {
        self.init(format: try DataFormat.named(proto.format, at: "data.format"))
        func nonEmpty(_ s: String) -> String? { s.isEmpty ? nil : s }
        train = nonEmpty(proto.train)
        trainLabels = nonEmpty(proto.trainLabels)
        test = nonEmpty(proto.test)
        testLabels = nonEmpty(proto.testLabels)
        label = nonEmpty(proto.label)
        if proto.hasTestFraction { testFraction = proto.testFraction }
        if proto.hasNormalize {
            normalize = try Normalization.named(proto.normalize, at: "data.normalize")
        }
        if proto.hasBatchSize { batchSize = Int(proto.batchSize) }
        if proto.hasShuffle { shuffle = proto.shuffle }
        if proto.hasFeatures { features = Int(proto.features) }
        if proto.hasSamples { samples = Int(proto.samples) }
        if !proto.weights.isEmpty { weights = proto.weights }
        if proto.hasBias { bias = proto.bias }
        if proto.hasNoise { noise = proto.noise }
        if proto.hasXMin { xMin = proto.xMin }
        if proto.hasXMax { xMax = proto.xMax }
        if proto.hasStream {
            let s = proto.stream
            stream = StreamSpec(
                dir: s.dir, pattern: s.hasPattern ? s.pattern : StreamSpec.defaultPattern,
                pollMs: s.hasPollMs ? Int(s.pollMs) : StreamSpec.defaultPollMs,
                evalWindow: s.hasEvalWindow ? Int(s.evalWindow) : StreamSpec.defaultEvalWindow)
        }
    }
}

extension OptimizerSpec {
    var proto: Tessera_V1_OptimizerSpec {
        .with {
            $0.type = type.rawValue
            $0.learningRate = learningRate
            $0.momentum = momentum
            $0.nesterov = nesterov
            $0.beta1 = beta1
            $0.beta2 = beta2
            $0.epsilon = epsilon
            $0.rho = rho
            $0.initialAccumulator = initialAccumulator
            $0.l1 = l1
            $0.l2 = l2
            $0.schedule = .with {
                $0.type = schedule.type.rawValue
                $0.decaySteps = Int64(schedule.decaySteps)
                $0.decayRate = schedule.decayRate
                $0.staircase = schedule.staircase
                $0.warmupSteps = Int64(schedule.warmupSteps)
            }
        }
    }

    init(proto: Tessera_V1_OptimizerSpec) throws {
        self.init()
        if !proto.type.isEmpty {
            type = try OptimizerType.named(proto.type, at: "optimizer.type")
        }
        if proto.hasLearningRate { learningRate = proto.learningRate }
        if proto.hasMomentum { momentum = proto.momentum }
        if proto.hasNesterov { nesterov = proto.nesterov }
        if proto.hasBeta1 { beta1 = proto.beta1 }
        if proto.hasBeta2 { beta2 = proto.beta2 }
        if proto.hasEpsilon { epsilon = proto.epsilon }
        if proto.hasRho { rho = proto.rho }
        if proto.hasInitialAccumulator { initialAccumulator = proto.initialAccumulator }
        if proto.hasL1 { l1 = proto.l1 }
        if proto.hasL2 { l2 = proto.l2 }
        if proto.hasSchedule {
            let s = proto.schedule
            if !s.type.isEmpty {
                schedule.type = try ScheduleType.named(s.type, at: "optimizer.schedule.type")
            }
            if s.hasDecaySteps { schedule.decaySteps = Int(s.decaySteps) }
            if s.hasDecayRate { schedule.decayRate = s.decayRate }
            if s.hasStaircase { schedule.staircase = s.staircase }
            if s.hasWarmupSteps { schedule.warmupSteps = Int(s.warmupSteps) }
        }
    }
}

extension TrainingSpec {
    var proto: Tessera_V1_TrainingSpec {
        .with {
            $0.mode = mode.rawValue
            $0.replicasToAggregate = JobSpecLimits.int32(replicasToAggregate)
            $0.backupWorkers = JobSpecLimits.int32(backupWorkers)
            if let maxStaleness { $0.maxStaleness = JobSpecLimits.int32(maxStaleness) }
            if let epochs { $0.epochs = JobSpecLimits.int32(epochs) }
            if let maxSteps { $0.maxSteps = Int64(maxSteps) }
            $0.evalEverySteps = Int64(evalEverySteps)
            $0.checkpoint = .with {
                if let s = checkpoint.everySteps { $0.everySteps = Int64(s) }
                if let s = checkpoint.everySeconds { $0.everySeconds = s }
                $0.keep = JobSpecLimits.int32(checkpoint.keep)
            }
            if let stopAt {
                $0.stopAt = .with {
                    $0.metric = stopAt.metric.rawValue
                    $0.value = stopAt.value
                }
            }
            $0.seed = seed
        }
    }

    /// `streamed`: the job reads a stream, which has no epochs (no default epoch then).
    init(proto: Tessera_V1_TrainingSpec, streamed: Bool = false) throws {
        self.init()
        if !proto.mode.isEmpty {
            mode = try TrainingMode.named(proto.mode, at: "training.mode")
        }
        if proto.hasReplicasToAggregate { replicasToAggregate = Int(proto.replicasToAggregate) }
        if proto.hasBackupWorkers { backupWorkers = Int(proto.backupWorkers) }
        if proto.hasMaxStaleness { maxStaleness = Int(proto.maxStaleness) }
        // As in YAML: one epoch only when neither epochs nor max_steps is given.
        epochs = proto.hasEpochs ? Int(proto.epochs) : nil
        if proto.hasMaxSteps { maxSteps = Int(proto.maxSteps) }
        if epochs == nil, maxSteps == nil, !streamed { epochs = 1 }
        if proto.hasEvalEverySteps { evalEverySteps = Int(proto.evalEverySteps) }
        if proto.hasCheckpoint {
            if proto.checkpoint.hasEverySteps { checkpoint.everySteps = Int(proto.checkpoint.everySteps) }
            // As in YAML: a checkpoint section without every_seconds checkpoints by steps only.
            checkpoint.everySeconds = proto.checkpoint.hasEverySeconds ? proto.checkpoint.everySeconds : nil
            if proto.checkpoint.hasKeep { checkpoint.keep = Int(proto.checkpoint.keep) }
        }
        if proto.hasStopAt {
            stopAt = StopAtSpec(metric: try StopMetric.named(proto.stopAt.metric, at: "training.stop_at.metric"), value: proto.stopAt.value)
        }
        if proto.hasSeed { seed = proto.seed }
    }
}
