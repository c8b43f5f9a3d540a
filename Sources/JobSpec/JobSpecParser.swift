import Yams

/// Reads a YAML job spec into a validated `JobSpec` with every default filled in.
public enum JobSpecParser {
    /// Parses and validates a YAML job spec; errors name the offending field's path.
    public static func parse(yaml: String) throws(SpecError) -> JobSpec {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw SpecError.spec("", "the job spec is empty") }
            root = node
        } catch let error as SpecError {
            throw error
        } catch let error as YamlError {
            throw .spec("", "invalid YAML: \(yamlProblem(error))")
        } catch {
            throw .spec("", "invalid YAML: \(error)")
        }
        let spec = try read(root)
        try spec.validate()
        return spec
    }

    private static func read(_ root: Node) throws(SpecError) -> JobSpec {
        let top = try SpecMapping(root, path: "", allowed: SpecFields.top.keys)
        try JobSpec.checkHeader(apiVersion: try top.string("apiVersion"), kind: try top.string("kind"))
        guard let name = try top.string("name") else { throw .spec("name", "required") }
        guard let modelMap = try top.mapping("model", allowed: modelKeys) else { throw .spec("model", "required") }
        guard let dataMap = try top.mapping("data", allowed: dataKeys) else { throw .spec("data", "required") }
        let model = try readModel(modelMap)
        let data = try readData(dataMap)
        let optimizer = try readOptimizer(try top.mapping("optimizer", allowed: optimizerKeys))
        let clusterMap = try top.mapping("cluster", allowed: SpecFields.cluster.keys)
        let (training, workers) = try readTraining(
            try top.mapping("training", allowed: trainingKeys), workers: try clusterMap?.int("workers"), streamed: data.stream != nil)
        let cluster = ClusterSpec(
            workers: workers, psShards: try clusterMap?.int("ps_shards"),
            transport: try clusterMap?.choice("transport", as: DataTransport.self) ?? .native)
        var spec = JobSpec(name: name, model: model, data: data, optimizer: optimizer, training: training, cluster: cluster)
        if let initFrom = try top.string("init_from") {
            try JobSpec.checkInitFrom(initFrom)
            spec.initFrom = initFrom
        }
        if let serving = try top.mapping("serving", allowed: SpecFields.serving.keys) {
            spec.serving = ServingSpec(
                replicas: try serving.int("replicas") ?? ServingSpec.defaultReplicas,
                refreshMs: try serving.int("refresh_ms") ?? ServingSpec.defaultRefreshMs)
        }
        return spec
    }

    // The allowed keys of each section: the tables the JSON Schema is generated from (SpecFields).
    static let modelKeys = SpecFields.model.keys
    static let dataKeys = SpecFields.data.keys
    static let syntheticKeys = SpecFields.synthetic.keys
    static let optimizerKeys = SpecFields.optimizer.keys
    static let trainingKeys = SpecFields.training.keys

    private static func readModel(_ m: SpecMapping) throws(SpecError) -> ModelSpec {
        guard let typeName = try m.string("type") else { throw .spec(m.path("type"), "required") }
        guard let type = ModelType(rawValue: typeName) else { throw .spec(m.path("type"), unusableModelType(typeName)) }
        var model = ModelSpec(type: type)
        if let hidden = try m.intList("hidden") {
            guard !ModelSpec.defaultHidden(for: type).isEmpty || !type.isBuiltIn else {
                throw .spec(m.path("hidden"), "only used by mlp, cnn and wide_deep models, not \(type.rawValue)")
            }
            model.hidden = hidden
        } else {
            model.hidden = ModelSpec.defaultHidden(for: type)
        }
        model.activation = try m.choice("activation") ?? .relu
        model.dropout = try m.double("dropout") ?? 0
        model.classes = try m.int("classes")
        if let c = try m.mapping("cnn", allowed: SpecFields.cnn.keys) {
            guard type == .cnn else { throw .spec(c.path, "only valid when model.type is cnn") }
            model.cnn = CNNSpec(
                filters: try c.intList("filters") ?? [32, 64], kernelSize: try c.int("kernel_size") ?? 5,
                poolSize: try c.int("pool_size") ?? 2, inputShape: try c.intList("input_shape"))
        } else if type == .cnn {
            model.cnn = CNNSpec()
        }
        if let w = try m.mapping("wide_deep", allowed: SpecFields.wideDeep.keys) {
            guard type == .wideDeep else { throw .spec(w.path, "only valid when model.type is wide_deep") }
            model.wideDeep = WideDeepSpec(
                embeddingDim: try w.int("embedding_dim") ?? 8, categorical: try w.stringList("categorical") ?? [],
                numeric: try w.stringList("numeric") ?? [], wide: try w.stringList("wide") ?? [],
                vocabularyHint: try w.int("vocabulary_hint") ?? 0)
        } else if type == .wideDeep {
            model.wideDeep = WideDeepSpec()
        }
        return model
    }

    /// Why `name` cannot be a `model.type`, with a hint when it is close to a built-in name.
    public static func unusableModelType(_ name: String) -> String {
        let builtIn = ModelType.builtIn.map(\.rawValue)
        var message = "\"\(name)\" is not a model type name: expected a built-in one (\(builtIn.joined(separator: ", "))) "
            + "or the name of a model registered with workers' ModelRegistry, matching [a-z][a-z0-9_]* (at most 64 characters)"
        if let hint = closestMatch(to: name, in: builtIn) { message += " (did you mean \"\(hint)\"?)" }
        return message
    }

    private static func readData(_ m: SpecMapping) throws(SpecError) -> DataSpec {
        guard let format = try m.choice("format", as: DataFormat.self) else { throw .spec(m.path("format"), "required") }
        var data = DataSpec(format: format)
        data.train = try m.string("train")
        data.trainLabels = try m.string("train_labels")
        data.test = try m.string("test")
        data.testLabels = try m.string("test_labels")
        data.label = try m.string("label")
        data.testFraction = try m.double("test_fraction") ?? 0
        data.normalize = try m.choice("normalize") ?? .none
        data.batchSize = try m.int("batch_size") ?? 32
        data.shuffle = try m.bool("shuffle") ?? true
        data.features = try m.int("features")
        if format == .synthetic {
            for key in ["train", "train_labels", "test", "test_labels", "label"] where m.has(key) {
                throw .spec(m.path(key), "not used when data.format is synthetic")
            }
            data.samples = try m.int("samples") ?? 1000
            data.weights = try m.floatList("weights")
            data.bias = try m.double("bias") ?? 0
            data.noise = try m.double("noise") ?? 0
            data.xMin = try m.double("x_min") ?? -1
            data.xMax = try m.double("x_max") ?? 1
            if data.weights == nil { throw .spec(m.path("weights"), "required when data.format is synthetic") }
        } else {
            for key in syntheticKeys where m.has(key) {
                throw .spec(m.path(key), "only valid when data.format is synthetic")
            }
            if format == .tfrecord, data.label == nil { data.label = "label" }
        }
        if let stream = try m.mapping("stream", allowed: SpecFields.stream.keys) {
            guard let dir = try stream.string("dir") else { throw .spec(stream.path("dir"), "required") }
            data.stream = StreamSpec(
                dir: dir, pattern: try stream.string("pattern") ?? StreamSpec.defaultPattern,
                pollMs: try stream.int("poll_ms") ?? StreamSpec.defaultPollMs,
                evalWindow: try stream.int("eval_window") ?? StreamSpec.defaultEvalWindow)
        }
        return data
    }

    private static func readOptimizer(_ m: SpecMapping?) throws(SpecError) -> OptimizerSpec {
        var o = OptimizerSpec()
        guard let m else { return o }
        o.type = try m.choice("type") ?? .sgd
        o.learningRate = try m.double("learning_rate") ?? o.learningRate
        o.momentum = try m.double("momentum") ?? o.momentum
        o.nesterov = try m.bool("nesterov") ?? o.nesterov
        o.beta1 = try m.double("beta1") ?? o.beta1
        o.beta2 = try m.double("beta2") ?? o.beta2
        o.epsilon = try m.double("epsilon") ?? o.epsilon
        o.rho = try m.double("rho") ?? o.rho
        o.initialAccumulator = try m.double("initial_accumulator") ?? o.initialAccumulator
        o.l1 = try m.double("l1") ?? o.l1
        o.l2 = try m.double("l2") ?? o.l2
        if let s = try m.mapping("schedule", allowed: SpecFields.schedule.keys) {
            var schedule = ScheduleSpec()
            schedule.type = try s.choice("type") ?? .constant
            schedule.decaySteps = try s.int("decay_steps") ?? schedule.decaySteps
            schedule.decayRate = try s.double("decay_rate") ?? schedule.decayRate
            schedule.staircase = try s.bool("staircase") ?? schedule.staircase
            schedule.warmupSteps = try s.int("warmup_steps") ?? schedule.warmupSteps
            o.schedule = schedule
        }
        return o
    }

    /// Reads `training` and resolves the worker count (which depends on the mode).
    /// `streamed`: the data is a stream, which has no epochs (none filled in then).
    private static func readTraining(_ m: SpecMapping?, workers: Int?, streamed: Bool) throws(SpecError) -> (TrainingSpec, Int) {
        var t = TrainingSpec()
        if streamed { t.epochs = nil }
        guard let m else { return (t, workers ?? 1) }
        t.mode = try m.choice("mode") ?? .async
        var resolvedWorkers = workers ?? 1
        switch t.mode {
        case .sync:
            if m.has("max_staleness") { throw .spec(m.path("max_staleness"), "only valid when training.mode is async") }
            // The defaults below do arithmetic on these three: bound them first.
            if let workers { try JobSpecLimits.workers.check(workers, at: "cluster.workers") }
            t.backupWorkers = try m.int("backup_workers") ?? 0
            try JobSpecLimits.backupWorkers.check(t.backupWorkers, at: m.path("backup_workers"))
            t.replicasToAggregate = try m.int("replicas_to_aggregate") ?? max(1, (workers ?? 1) - t.backupWorkers)
            try JobSpecLimits.workers.check(t.replicasToAggregate, at: m.path("replicas_to_aggregate"))
            resolvedWorkers = workers ?? Saturating.add(t.replicasToAggregate, t.backupWorkers)
        case .async:
            for key in ["replicas_to_aggregate", "backup_workers"] where m.has(key) {
                throw .spec(m.path(key), "only valid when training.mode is sync")
            }
            t.maxStaleness = try m.int("max_staleness")
        }
        t.epochs = try m.int("epochs")
        t.maxSteps = try m.int("max_steps")
        if t.epochs == nil, t.maxSteps == nil, !streamed { t.epochs = 1 }
        t.evalEverySteps = try m.int("eval_every_steps") ?? 0
        if let c = try m.mapping("checkpoint", allowed: SpecFields.checkpoint.keys) {
            t.checkpoint = CheckpointSpec(
                everySteps: try c.int("every_steps"), everySeconds: try c.double("every_seconds"),
                keep: try c.int("keep") ?? 3)
        }
        if let s = try m.mapping("stop_at", allowed: SpecFields.stopAt.keys) {
            guard let metric = try s.choice("metric", as: StopMetric.self) else { throw .spec(s.path("metric"), "required") }
            guard let value = try s.double("value") else { throw .spec(s.path("value"), "required") }
            t.stopAt = StopAtSpec(metric: metric, value: value)
        }
        if let seed = try m.int("seed") {
            guard seed >= 0 else { throw .spec(m.path("seed"), "must be ≥ 0, got \(seed)") }
            t.seed = UInt64(seed)
        }
        return (t, resolvedWorkers)
    }

    private static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return "\(problem) at line \(mark.line), column \(mark.column)"
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate keys \(duplicates.map { "\"\($0)\"" }.joined(separator: ", "))"
        default:
            return "\(error)"
        }
    }
}
